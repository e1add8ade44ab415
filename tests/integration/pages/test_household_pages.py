"""Household pages: codes for staff, identity on its own logged page, never for warehouse volunteers."""

from __future__ import annotations

from httpx import AsyncClient
from litestar import Litestar

from foodbank.models import Role
from tests.conftest import Actors, client_for
from tests.integration.households.test_households_and_referrals import IDENTITY, register
from tests.integration.pages.conftest import Browser


async def test_identity_is_for_coordinators_and_never_for_volunteers(
    client: AsyncClient, app: Litestar, actors: Actors
) -> None:
    coordinator = await actors.make(Role.coordinator)
    created = await register(client, coordinator)

    async with client_for(app) as own:
        person = Browser(own)
        await person.sign_in(coordinator)
        page = await person.get(f"/households/{created['id']}")
        assert created["code"] in page.text and IDENTITY["name"] not in page.text
        identity = await person.get(f"/households/{created['id']}/identity")
        assert identity.status_code == 200 and IDENTITY["name"] in identity.text and "記録されます" in identity.text

    async with client_for(app) as own:
        volunteer = Browser(own)
        await volunteer.sign_in(await actors.make(Role.warehouse))
        for path in (f"/households/{created['id']}", f"/households/{created['id']}/identity"):
            refused = await volunteer.get(path)
            assert refused.status_code == 403 and IDENTITY["name"] not in refused.text
            assert "あなたの役割では" in refused.text

    admin = await actors.make(Role.admin)
    events = await client.get("/api/audit-events", headers=admin.headers, params={"action": "household.identity.read"})
    assert len(events.json()) == 1  # the coordinator's one reading; the refused ones read nothing
