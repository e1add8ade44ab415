"""Reading the PDFs the document routes return: their text (Japanese included), page by page, and
whether the Japanese font is embedded; and households registered with a name, to prove it never shows."""

from __future__ import annotations

import io
import re
from typing import Any

from httpx import AsyncClient, Response
from pypdf import PdfReader

from tests.conftest import Actor
from tests.integration.documents.test_picking_list_pdf import fonts_of


def pages_of(response: Response) -> list[str]:
    """The text of each page of a 200 PDF response, white space removed (extraction spaces CJK text at
    will): check it with `assert_shows`."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    fonts = fonts_of(reader)
    assert any(name.startswith("embedded:") and "IPAex" in name for name in fonts), fonts
    assert all(round(float(page.mediabox.width)) == 595 for page in reader.pages), "A4"
    return [squeezed(page.extract_text()) for page in reader.pages]


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def assert_shows(text: str, *expected: Any) -> None:
    missing = [str(e) for e in expected if squeezed(str(e)) not in text]
    assert not missing, f"{missing} missing from: {text}"


async def named_household(client: AsyncClient, actor: Actor, name: str, **fields: Any) -> dict[str, Any]:
    """A household registered through the API, with an identity whose name the documents must not show."""
    body = {"municipality": "togane", "adults": 2, "identity": {"name": name}, **fields}
    response = await client.post("/api/households", json=body, headers=actor.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created
