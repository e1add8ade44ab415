"""The annual summary's CSV and Excel files show every name as text: an agency, category, venue or
programme named like a formula (`=HYPERLINK(...)`, `+1`, `@SUM(A1)`...) never becomes one."""

from __future__ import annotations

from datetime import timedelta

from httpx import AsyncClient

from foodbank.models import (
    Agency,
    AgencyKind,
    ConsentThrough,
    Municipality,
    PantryEvent,
    PantryVenue,
    Referral,
    ReferralRequest,
    WhoConsulted,
)
from foodbank.reports.rules import fiscal_year_of
from tests.dates import TODAY, month
from tests.formulas import FORMULAS, assert_inert_csv, assert_inert_xlsx
from tests.integration.distributions.conftest import Community, community, wh
from tests.integration.stock.conftest import named_item

__all__ = ["community", "wh"]


async def test_names_like_formulas_stay_text_in_the_csv_and_the_workbook(
    client: AsyncClient, community: Community
) -> None:
    c, wh = community, community.wh
    household = await c.household()
    items: list[int] = []
    async with c.database.transaction() as s:
        for i, name in enumerate(FORMULAS):
            items.append(await named_item(s, name, f"formula{i}"))
            agency = Agency(name=name, kind=AgencyKind.other)
            venue = PantryVenue(name=name, address="東金市", municipality=Municipality.togane)
            s.add_all([agency, venue])
            await s.flush()
            s.add(PantryEvent(venue_id=venue.id, event_date=TODAY))
            s.add(
                Referral(
                    agency_id=agency.id,
                    consultant_id=c.consultant.id,
                    household_id=household,
                    referred_on=TODAY,
                    who_consulted=WhoConsulted.agency,
                    reasons=["income"],
                    request=ReferralRequest.food,
                    consent_given=False,
                    consent_through=ConsentThrough.agency,
                    valid_from=TODAY,
                    valid_until=TODAY + timedelta(days=30),
                    handouts_allowed=1,
                )
            )
    for item_id, name in zip(items, FORMULAS, strict=True):
        received = await wh.receive(
            client, [{"item_id": item_id, "quantity": 2, "expiry": month(6), "location_id": wh.ambient}]
        )
        assert received.status_code == 201, received.text
        await c.partner(name)

    base = f"/api/reports/annual/{fiscal_year_of(TODAY)}"
    for lang in ("ja", "en"):
        csv_file = await client.get(f"{base}/summary.csv", params={"lang": lang}, headers=c.reporter.headers)
        assert csv_file.status_code == 200, csv_file.text
        assert_inert_csv(csv_file.content)
        workbook = await client.get(f"{base}/summary.xlsx", params={"lang": lang}, headers=c.reporter.headers)
        assert workbook.status_code == 200, workbook.text
        assert_inert_xlsx(workbook.content)
