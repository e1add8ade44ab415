"""The picking list PDF: Japanese text really rendered (extractable, with an embedded Japanese font),
sections by zone, the organisation's name, the print date and page numbers on every page."""

from __future__ import annotations

import io
from typing import Any

from httpx import AsyncClient
from pypdf import PdfReader

from foodbank.lib.clock import today
from tests.dates import month
from tests.integration.stock.conftest import TODAY, Warehouse, days


def fonts_of(reader: PdfReader) -> set[str]:
    names: set[str] = set()
    for page in reader.pages:
        resources: Any = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            names.add(str(font.get("/BaseFont")))
            for descendant in font.get("/DescendantFonts") or []:
                descriptor = descendant.get_object().get("/FontDescriptor")
                if descriptor is not None and descriptor.get_object().get("/FontFile2") is not None:
                    names.add("embedded:" + str(descendant.get_object().get("/BaseFont")))
    return names


async def test_the_picking_list_pdf_has_japanese_text_by_zone_with_page_furniture(
    client: AsyncClient, wh: Warehouse
) -> None:
    await wh.lot(client, wh.canned, 40, month(9))
    await wh.lot(client, wh.milk, 6, days(5), location_id=wh.chilled)
    reserved = await client.post(
        "/api/reservations",
        json={
            "purpose": "household",
            "purpose_ref": "H-2026-0007",
            "channel": "individual",
            "distribution_date": TODAY.isoformat(),
            "lines": [{"item_id": wh.canned, "quantity": 12}, {"item_id": wh.milk, "quantity": 2}],
        },
        headers=wh.warehouse.headers,
    )
    assert reserved.status_code == 201, reserved.text
    response = await client.get(
        f"/api/reservations/{reserved.json()['id']}/picking-list.pdf", headers=wh.warehouse.headers
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for expected in (
        "ピッキングリスト",
        "さば缶",
        "牛乳",
        "常温",
        "冷蔵",
        "A-01",
        "C-01",
        month(9),
        "H-2026-0007",
        "フードバンクさんぶ",
        today().isoformat(),
        "1 / 1",
        "ピッキング担当",
    ):
        assert expected in text, f"{expected!r} missing from the PDF text"
    assert text.index("常温") < text.index("冷蔵"), "sections follow the zones"
    fonts = fonts_of(reader)
    assert any(name.startswith("embedded:") and "IPAex" in name for name in fonts), fonts
    assert reader.pages[0].mediabox.width == 595 or round(float(reader.pages[0].mediabox.width)) == 595  # A4


async def test_an_unknown_reservation_is_404(client: AsyncClient, wh: Warehouse) -> None:
    response = await client.get("/api/reservations/999999/picking-list.pdf", headers=wh.warehouse.headers)
    assert response.status_code == 404
