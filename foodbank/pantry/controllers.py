"""Pantry days API: venues, parcel templates, and events with their registrations, allocation, picking
and packing lists, the day (check-in, walk-ins, no-shows), closing and figures."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from litestar import Controller, Response, get, patch, post
from litestar.di import Provide
from litestar.params import QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.config import Settings
from foodbank.lib.access import Principal, allow
from foodbank.lib.clock import today
from foodbank.lib.messages import Message
from foodbank.lib.pdf import pdf_document
from foodbank.lib.validation import Dump, Load, query
from foodbank.models import PantryEvent, PantryVenue, ParcelTemplate, Role
from foodbank.pantry import documents, queries, services
from foodbank.pantry.errors import TemplateNotFound
from foodbank.pantry.schemas import (
    AllocateIn,
    AllocationOut,
    CheckInIn,
    CheckInOut,
    EventFilter,
    EventIn,
    EventOut,
    EventUpdate,
    PackingListOut,
    PantrySummaryOut,
    PickingListOut,
    RegistrationFilter,
    RegistrationIn,
    RegistrationOut,
    SlotCapacityIn,
    SlotIn,
    TemplateFilter,
    TemplateIn,
    TemplateOut,
    VenueIn,
    VenueOut,
    WalkInIn,
    WalkInOut,
)

MANAGERS = (Role.admin, Role.coordinator)
"""Plan, allocate, close: coordinators and admins."""
STAFF = (Role.admin, Role.coordinator, Role.warehouse)
"""Run the day: pick, check in, serve walk-ins."""
BOOKERS = (Role.admin, Role.coordinator, Role.consultant)
"""Register households (a consultant, those of their agency)."""


ConfirmParam = Annotated[
    bool,
    QueryParameter(
        name="confirm",
        description="Go ahead although the day's date is unusual (planned in the past or over 90 days ahead, "
        "started on another day, closed before it took place); without it such a request answers 409 "
        "`/problems/pantry-day-unusual-date` with its `reasons`, and nothing changes.",
    ),
]


class PantryVenueController(Controller):
    path = "/api/pantry-venues"
    tags = ["pantry days"]

    @get("/", opt=allow(*STAFF, Role.consultant), return_dto=Dump[VenueOut], summary="Venues of pantry days")
    async def list_venues(self, db_session: AsyncSession) -> Sequence[PantryVenue]:
        return await queries.venues(db_session)

    @post(
        "/",
        opt=allow(*MANAGERS, idempotent=True),
        dto=Load[VenueIn],
        return_dto=Dump[VenueOut],
        summary="Register a venue (name, address, municipality)",
    )
    async def create_venue(self, db_session: AsyncSession, principal: Principal, data: dict[str, Any]) -> PantryVenue:
        return await services.create_venue(db_session, actor_id=principal.id, **data)


class ParcelTemplateController(Controller):
    path = "/api/parcel-templates"
    tags = ["pantry days"]

    @get(
        "/",
        opt=allow(*STAFF),
        return_dto=Dump[TemplateOut],
        dependencies={"filters": Provide(query(TemplateFilter))},
        summary="Parcel templates by household-size band (retired ones only with include_retired)",
    )
    async def list_templates(self, db_session: AsyncSession, filters: dict[str, Any]) -> Sequence[ParcelTemplate]:
        return await queries.templates(db_session, **filters)

    @get("/{template_id:int}", opt=allow(*STAFF), return_dto=Dump[TemplateOut], summary="One parcel template")
    async def template(self, db_session: AsyncSession, template_id: int) -> ParcelTemplate:
        found = await queries.template(db_session, template_id)
        if found is None:
            raise TemplateNotFound(Message("There is no parcel template with id %(id)s.", id=template_id))
        return found

    @post(
        "/",
        opt=allow(*MANAGERS, idempotent=True),
        dto=Load[TemplateIn],
        return_dto=Dump[TemplateOut],
        summary="Define a parcel: a household-size band and lines of items or categories (any item, FEFO)",
    )
    async def create_template(
        self, db_session: AsyncSession, principal: Principal, data: services.NewTemplate
    ) -> ParcelTemplate:
        return await services.create_template(db_session, actor_id=principal.id, template=data)

    @post(
        "/{template_id:int}/retire",
        opt=allow(*MANAGERS),
        return_dto=Dump[TemplateOut],
        summary="Retire a template: no longer offered for new pantry days (the days using it keep it)",
    )
    async def retire_template(self, db_session: AsyncSession, principal: Principal, template_id: int) -> ParcelTemplate:
        return await services.retire_template(db_session, actor_id=principal.id, template_id=template_id)

    @post(
        "/{template_id:int}/restore",
        opt=allow(*MANAGERS),
        return_dto=Dump[TemplateOut],
        summary="Use a retired template again",
    )
    async def restore_template(
        self, db_session: AsyncSession, principal: Principal, template_id: int
    ) -> ParcelTemplate:
        return await services.restore_template(db_session, actor_id=principal.id, template_id=template_id)


class PantryEventController(Controller):
    path = "/api/pantry-events"
    tags = ["pantry days"]

    # --- planning ----------------------------------------------------------------------------------

    @get(
        "/",
        opt=allow(*STAFF, Role.consultant),
        return_dto=Dump[EventOut],
        dependencies={"filters": Provide(query(EventFilter))},
        summary="Pantry days, soonest first, with their slots and places left",
    )
    async def list_events(self, db_session: AsyncSession, filters: dict[str, Any]) -> Sequence[PantryEvent]:
        return await queries.events(db_session, **filters)

    @post(
        "/",
        opt=allow(*MANAGERS, idempotent=True),
        dto=Load[EventIn],
        return_dto=Dump[EventOut],
        summary="Plan a pantry day: venue, date, time slots with capacity, expected walk-ins, parcel templates",
    )
    async def create_event(
        self, db_session: AsyncSession, principal: Principal, data: services.NewEvent, confirm: ConfirmParam = False
    ) -> PantryEvent:
        created = await services.create_event(
            db_session, actor_id=principal.id, plan=data, today=today(), confirm=confirm
        )
        return await queries.event(db_session, created.id)

    @get("/{event_id:int}", opt=allow(*STAFF, Role.consultant), return_dto=Dump[EventOut], summary="One pantry day")
    async def event(self, db_session: AsyncSession, event_id: int) -> PantryEvent:
        return await queries.event(db_session, event_id)

    @patch(
        "/{event_id:int}",
        opt=allow(*MANAGERS),
        dto=Load[EventUpdate],
        return_dto=Dump[EventOut],
        summary="Change the plan (before the day; the date only until stock is allocated)",
    )
    async def update_event(
        self,
        db_session: AsyncSession,
        principal: Principal,
        event_id: int,
        data: services.EventChanges,
        confirm: ConfirmParam = False,
    ) -> PantryEvent:
        return await services.update_event(
            db_session, actor_id=principal.id, event_id=event_id, changes=data, today=today(), confirm=confirm
        )

    @post(
        "/{event_id:int}/slots",
        opt=allow(*MANAGERS, idempotent=True),
        dto=Load[SlotIn],
        return_dto=Dump[EventOut],
        summary="Add a time slot",
    )
    async def add_slot(
        self, db_session: AsyncSession, principal: Principal, event_id: int, data: services.Slot
    ) -> PantryEvent:
        return await services.add_slot(db_session, actor_id=principal.id, event_id=event_id, slot=data)

    @patch(
        "/{event_id:int}/slots/{slot_id:int}",
        opt=allow(*MANAGERS),
        dto=Load[SlotCapacityIn],
        return_dto=Dump[EventOut],
        summary="Change a slot's capacity (never below the households booked)",
    )
    async def set_slot_capacity(
        self, db_session: AsyncSession, principal: Principal, event_id: int, slot_id: int, data: dict[str, Any]
    ) -> PantryEvent:
        return await services.set_slot_capacity(
            db_session, actor_id=principal.id, event_id=event_id, slot_id=slot_id, capacity=data["capacity"]
        )

    # --- status --------------------------------------------------------------------------------------

    @post(
        "/{event_id:int}/open",
        opt=allow(*MANAGERS),
        return_dto=Dump[EventOut],
        summary="Open registrations (planned -> open)",
    )
    async def open_event(self, db_session: AsyncSession, principal: Principal, event_id: int) -> PantryEvent:
        return await services.change_status(
            db_session, actor_id=principal.id, event_id=event_id, action="open", today=today()
        )

    @post(
        "/{event_id:int}/allocate",
        opt=allow(*MANAGERS, idempotent=True),
        dto=Load[AllocateIn],
        return_dto=Dump[AllocationOut],
        summary="Allocate (or re-allocate) the day's stock: a parcel per household and the walk-in buffer, FEFO",
    )
    async def allocate(
        self, db_session: AsyncSession, principal: Principal, event_id: int, data: dict[str, Any], settings: Settings
    ) -> services.Allocated:
        return await services.allocate(
            db_session,
            actor_id=principal.id,
            event_id=event_id,
            allow_partial=data["allow_partial"],
            settings=settings.stock,
        )

    @post(
        "/{event_id:int}/start",
        opt=allow(*STAFF),
        return_dto=Dump[EventOut],
        summary="Start the day (allocated -> in progress)",
    )
    async def start(
        self, db_session: AsyncSession, principal: Principal, event_id: int, confirm: ConfirmParam = False
    ) -> PantryEvent:
        return await services.change_status(
            db_session, actor_id=principal.id, event_id=event_id, action="start", today=today(), confirm=confirm
        )

    @post(
        "/{event_id:int}/close",
        opt=allow(*MANAGERS),
        return_dto=Dump[PantrySummaryOut],
        summary="Close the day: no-shows recorded, unused stock released; returns the day's figures",
    )
    async def close(
        self, db_session: AsyncSession, principal: Principal, event_id: int, confirm: ConfirmParam = False
    ) -> dict[str, Any]:
        await services.close(db_session, actor_id=principal.id, event_id=event_id, today=today(), confirm=confirm)
        return await queries.summary(db_session, event_id)

    @post(
        "/{event_id:int}/cancel",
        opt=allow(*MANAGERS),
        return_dto=Dump[EventOut],
        summary="Cancel the day (before it starts): bookings cancelled, stock released",
    )
    async def cancel(self, db_session: AsyncSession, principal: Principal, event_id: int) -> PantryEvent:
        return await services.change_status(
            db_session, actor_id=principal.id, event_id=event_id, action="cancel", today=today()
        )

    # --- registrations -------------------------------------------------------------------------------

    @get(
        "/{event_id:int}/registrations",
        opt=allow(*STAFF),
        return_dto=Dump[RegistrationOut],
        dependencies={"filters": Provide(query(RegistrationFilter))},
        summary="Registrations, by slot; households by code",
    )
    async def registrations(
        self, db_session: AsyncSession, event_id: int, filters: dict[str, Any]
    ) -> list[dict[str, Any]]:
        await queries.event(db_session, event_id)
        return await queries.registrations(db_session, event_id, **filters)

    @post(
        "/{event_id:int}/registrations",
        opt=allow(*BOOKERS, idempotent=True),
        dto=Load[RegistrationIn],
        return_dto=Dump[RegistrationOut],
        summary="Book a household into a slot (with its referral, if any)",
    )
    async def book(
        self, db_session: AsyncSession, principal: Principal, event_id: int, data: dict[str, Any]
    ) -> dict[str, Any]:
        created = await services.book(db_session, actor=principal, event_id=event_id, **data)
        return await queries.registration(db_session, created.id)

    @post(
        "/{event_id:int}/registrations/{registration_id:int}/cancel",
        opt=allow(*BOOKERS),
        return_dto=Dump[RegistrationOut],
        summary="Cancel a registration: its place is freed and its parcel's stock released",
    )
    async def cancel_registration(
        self, db_session: AsyncSession, principal: Principal, event_id: int, registration_id: int
    ) -> dict[str, Any]:
        await services.cancel_registration(
            db_session, actor=principal, event_id=event_id, registration_id=registration_id
        )
        return await queries.registration(db_session, registration_id)

    # --- picking and packing -------------------------------------------------------------------------

    @get(
        "/{event_id:int}/picking-list",
        opt=allow(*STAFF),
        return_dto=Dump[PickingListOut],
        summary="Everything to pick for the day, by zone, location, item and lot (FEFO)",
    )
    async def picking_list(self, db_session: AsyncSession, event_id: int) -> dict[str, Any]:
        return await queries.picking_list(db_session, event_id)

    @get(
        "/{event_id:int}/packing-lists",
        opt=allow(*STAFF),
        return_dto=Dump[PackingListOut],
        summary="What goes into each household's parcel (by code), and the walk-in buffer",
    )
    async def packing_lists(self, db_session: AsyncSession, event_id: int) -> list[dict[str, Any]]:
        return await queries.packing_lists(db_session, event_id)

    @get(
        "/{event_id:int}/picking-list.pdf",
        opt=allow(*STAFF),
        media_type="application/pdf",
        summary="The day's picking list as a PDF: all parcels, by zone and location, tick boxes, picked quantity",
    )
    async def picking_list_pdf(self, db_session: AsyncSession, event_id: int, settings: Settings) -> Response[bytes]:
        return await pdf_document(
            "picking_list.html",
            await documents.picking_list(db_session, event_id),
            f"pantry-{event_id}-picking-list.pdf",
            organisation=settings.http.organisation_name,
        )

    @get(
        "/{event_id:int}/packing-lists.pdf",
        opt=allow(*STAFF),
        media_type="application/pdf",
        summary="The packing lists as a PDF: a page per household (by code, with what to keep out), and walk-ins",
    )
    async def packing_lists_pdf(self, db_session: AsyncSession, event_id: int, settings: Settings) -> Response[bytes]:
        return await pdf_document(
            "packing_lists.html",
            await documents.packing_lists(db_session, event_id),
            f"pantry-{event_id}-packing-lists.pdf",
            organisation=settings.http.organisation_name,
        )

    # --- the day -------------------------------------------------------------------------------------

    @post(
        "/{event_id:int}/registrations/{registration_id:int}/check-in",
        opt=allow(*STAFF, idempotent=True),
        dto=Load[CheckInIn],
        return_dto=Dump[CheckInOut],
        summary="Check a household in: its parcel is handed out (a pantry distribution, with its referral)",
    )
    async def check_in(
        self,
        db_session: AsyncSession,
        principal: Principal,
        event_id: int,
        registration_id: int,
        data: dict[str, Any],
        settings: Settings,
    ) -> dict[str, Any]:
        done = await services.check_in(
            db_session,
            actor=principal,
            event_id=event_id,
            registration_id=registration_id,
            people=data["people"],
            settings=settings.stock,
        )
        return {
            "registration": await queries.registration(db_session, registration_id),
            "distribution_id": done.distribution_id,
            "people": done.people,
            "units": done.units,
        }

    @post(
        "/{event_id:int}/registrations/{registration_id:int}/no-show",
        opt=allow(*STAFF),
        return_dto=Dump[RegistrationOut],
        summary="Mark a no-show (the parcel stays reserved until closing, in case they come late)",
    )
    async def no_show(
        self, db_session: AsyncSession, principal: Principal, event_id: int, registration_id: int
    ) -> dict[str, Any]:
        await services.mark_no_show(db_session, actor=principal, event_id=event_id, registration_id=registration_id)
        return await queries.registration(db_session, registration_id)

    @post(
        "/{event_id:int}/walk-ins",
        opt=allow(*STAFF, idempotent=True),
        dto=Load[WalkInIn],
        return_dto=Dump[WalkInOut],
        summary="Serve a walk-in: an anonymous hand-out from the walk-in buffer, counted in people",
    )
    async def walk_in(
        self, db_session: AsyncSession, principal: Principal, event_id: int, data: dict[str, Any], settings: Settings
    ) -> services.WalkIn:
        return await services.record_walk_in(
            db_session,
            actor=principal,
            event_id=event_id,
            people=data["people"],
            parcels_wanted=data["parcels"],
            settings=settings.stock,
        )

    @get(
        "/{event_id:int}/summary",
        opt=allow(*MANAGERS, Role.reporter),
        return_dto=Dump[PantrySummaryOut],
        summary="The day's figures: households and people served, walk-ins, no-shows, kg by category",
    )
    async def summary(self, db_session: AsyncSession, event_id: int) -> dict[str, Any]:
        return await queries.summary(db_session, event_id)
