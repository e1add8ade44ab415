"""The hand-over receipt PDF: the goods handed over, the household by code (never its name)."""

from __future__ import annotations

import io

from httpx import AsyncClient
from pypdf import PdfReader

from tests.dates import month
from tests.integration.distributions.conftest import Community


async def test_the_receipt_lists_the_goods_and_shows_the_code_not_the_name(
    client: AsyncClient, community: Community
) -> None:
    c = community
    household = await c.household()
    canned = await c.wh.lot(client, c.wh.canned, 10, month(9))
    handed = await c.hand_out(client, household_id=household, lines=[{"lot_id": canned, "quantity": 3}])
    assert handed.status_code == 201, handed.text
    response = await client.get(f"/api/distributions/{handed.json()['id']}/receipt.pdf", headers=c.wh.warehouse.headers)
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    code = await c.code(household)
    for expected in ("受領書", code, "さば缶", month(9), "受領者署名", "個別支援（受け取り）"):
        assert expected in text, f"{expected!r} missing"
    flat = text.replace(" ", "").replace("\n", "")
    assert "3個" in flat, "each quantity with its unit, as on the picking list"
    assert "合計3点" in flat
