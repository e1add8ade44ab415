"""Temperature record pages: the warehouse page to type a reading (a location, the thermometer's minimum
and maximum; the answer says at once whether it is in range) with the day's readings, and the
coordinator's page of alerts, limits and the record PDF, with a page per out-of-range reading to record
its review and hold the lots of its location.

Forms are the API's schemas (`foodbank.temperatures.schemas`) with words for a person; every change goes
through the same services as the API, in a savepoint, and answers with a redirect and a message.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Response, get, post
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.lib.access import Principal, allow
from foodbank.lib.clock import today, utcnow
from foodbank.lib.errors import NotFound
from foodbank.lib.messages import Message
from foodbank.models import Zone
from foodbank.pages.api_forms import load_command, page_form
from foodbank.pages.forms import Form, FormSchema, attempt, empty_form, load_form
from foodbank.pages.i18n import N_, label_msgid
from foodbank.pages.layout import Nav, Ui, page
from foodbank.stock.controllers import MANAGERS, WAREHOUSE
from foodbank.temperatures import controllers, queries, services
from foodbank.temperatures.commands import LimitChange, NewReading, Review
from foodbank.temperatures.errors import ReadingNotFound
from foodbank.temperatures.schemas import LimitIn, ReadingIn, TemperatureReviewIn

TEMPERATURE = {
    "required": N_("Give the temperature."),
    "invalid": N_("Give the temperature as a number, such as 4.5 or -18."),
}
ReadingForm = page_form(
    ReadingIn,
    name="ReadingForm",
    messages={
        "location_id": {"required": N_("Choose a location."), "invalid": N_("Choose a location.")},
        "min_celsius": TEMPERATURE,
        "max_celsius": TEMPERATURE,
        "note": {"validate": N_("Write at most 500 characters.")},
    },
    rewords={"The minimum is above the maximum.": N_("The minimum cannot be above the maximum.")},
)
ReviewForm = page_form(
    TemperatureReviewIn,
    name="ReviewForm",
    messages={
        "decision": {
            "required": N_("Say what was decided (for example: checked the lots, moved them, disposed of some)."),
            "validate": N_("Say what was decided in 1 to 1,000 characters."),
        }
    },
)
LimitForm = page_form(
    LimitIn,
    name="LimitForm",
    messages={"max_celsius": TEMPERATURE, "daily_reading_required": {"required": N_("Choose yes or no.")}},
)


# --- the warehouse: type a reading -----------------------------------------------------------------------


async def _reading_page(ui: Ui, session: AsyncSession, form: Form) -> Template:
    locations = await queries.reading_locations(session)
    limits = await queries.limits(session)
    on = today()
    return ui.render(
        "warehouse/temperatures.html",
        form=form,
        location_options=[
            (
                location.id,
                f"{location.code} · {ui._(label_msgid('zone', location.zone))} · "
                + ui._("at most %(limit)s °C", limit=limits[location.zone].max_celsius),
            )
            for location in locations
        ],
        readings=list(reversed(await queries.readings(session, since=on, until=on))),
        may_review=ui.principal is not None and ui.principal.has(*MANAGERS),
        status_code=form.status,
    )


@get(
    "/warehouse/temperatures",
    opt=page(**allow(*WAREHOUSE), nav=Nav("warehouse", N_("Temperatures"), 50)),
    include_in_schema=False,
)
async def reading_page(ui: Ui, db_session: AsyncSession) -> Template:
    chosen = ui.request.query_params.get("location_id", "")
    return await _reading_page(ui, db_session, empty_form(ui, {"location_id": chosen}))


@post("/warehouse/temperatures", opt=page(**allow(*WAREHOUSE)), include_in_schema=False)
async def record_reading(ui: Ui, principal: Principal, db_session: AsyncSession) -> Response[Any]:
    form = await load_form(ui, FormSchema)
    if (replay := await form.replayed(db_session)) is not None:
        return replay  # a double tap records the reading once
    reading: NewReading | None = load_command(form, ReadingForm)
    if reading is not None:
        row = await attempt(
            form,
            db_session,
            lambda: services.record_reading(db_session, actor_id=principal.id, reading=reading, now=utcnow()),
        )
        if row is not None:
            params = {"code": row.location.code, "max": row.max_celsius, "limit": row.limit_max_celsius}
            if row.out_of_range:
                message = ui._(
                    "Out of range: %(code)s reached %(max)s °C, above its limit of %(limit)s °C. "
                    "The coordinators see it on their home page; check the door and the lots.",
                    **params,
                )
            else:
                message = ui._("In range: %(code)s at most %(max)s °C (limit %(limit)s °C).", **params)
            redirect = ui.redirect(
                f"/warehouse/temperatures?location_id={row.location_id}",
                flash=message,
                kind="warning" if row.out_of_range else "ok",
            )
            return await form.remember(db_session, redirect)
    return await _reading_page(ui, db_session, form)


# --- the coordinator: alerts, limits, the record ---------------------------------------------------------


async def _overview(ui: Ui, session: AsyncSession, forms: dict[str, Form] | None = None, status: int = 200) -> Template:
    limits = await queries.limits(session)
    on = today()
    return ui.render(
        "coordinator/temperatures.html",
        alerts=await controllers.alerts(session),
        limits=[limits[zone] for zone in Zone if zone in limits],
        forms=forms or {},
        empty=empty_form(ui),
        since=on - timedelta(days=30),
        until=on,
        status_code=status,
    )


@get(
    "/coordinator/temperatures",
    opt=page(**allow(*MANAGERS), nav=Nav("coordinator", N_("Temperatures"), 60)),
    include_in_schema=False,
)
async def overview(ui: Ui, db_session: AsyncSession) -> Template:
    return await _overview(ui, db_session)


@post("/coordinator/temperatures/limits/{zone:str}", opt=page(**allow(*MANAGERS)), include_in_schema=False)
async def change_limit(ui: Ui, principal: Principal, db_session: AsyncSession, zone: str) -> Response[Any]:
    try:
        chosen = Zone(zone)
    except ValueError:
        raise NotFound(Message("There is no zone %(zone)s: ambient, chilled or frozen.", zone=zone[:20])) from None
    form = await load_form(ui, FormSchema)
    if (replay := await form.replayed(db_session)) is not None:
        return replay
    change: LimitChange | None = load_command(form, LimitForm)
    if change is not None:
        done = await attempt(
            form,
            db_session,
            lambda: services.set_limit(db_session, actor_id=principal.id, zone=chosen, change=change, now=utcnow()),
        )
        if done is not None:
            message = ui._("The limit is changed. Readings already recorded keep the limit they were judged by.")
            return await form.remember(db_session, ui.redirect("/coordinator/temperatures", flash=message))
    return await _overview(ui, db_session, {chosen.value: form}, form.status)


async def _reading_review_page(
    ui: Ui, session: AsyncSession, reading_id: int, forms: dict[str, Form] | None = None, status: int = 200
) -> Template:
    reading = await queries.reading(session, reading_id)
    if reading is None:
        raise ReadingNotFound(Message("There is no temperature reading with id %(id)s.", id=reading_id))
    forms = forms or {}
    return ui.render(
        "coordinator/temperature_reading.html",
        reading=reading,
        lots_in_location=await queries.lots_with_stock(session, reading.location_id),
        review_form=forms.get("review") or empty_form(ui),
        hold_form=forms.get("hold") or empty_form(ui),
        status_code=status,
    )


@get("/coordinator/temperatures/{reading_id:int}", opt=page(**allow(*MANAGERS)), include_in_schema=False)
async def reading_review_page(ui: Ui, db_session: AsyncSession, reading_id: int) -> Template:
    return await _reading_review_page(ui, db_session, reading_id)


@post("/coordinator/temperatures/{reading_id:int}/review", opt=page(**allow(*MANAGERS)), include_in_schema=False)
async def review_reading(ui: Ui, principal: Principal, db_session: AsyncSession, reading_id: int) -> Response[Any]:
    form = await load_form(ui, FormSchema)
    if (replay := await form.replayed(db_session)) is not None:
        return replay
    review: Review | None = load_command(form, ReviewForm)
    if review is not None:
        done = await attempt(
            form,
            db_session,
            lambda: services.review(
                db_session, actor_id=principal.id, reading_id=reading_id, review=review, now=utcnow()
            ),
        )
        if done is not None:
            message = ui._("The review is recorded. Lots held for this reading can now be released.")
            return await form.remember(
                db_session, ui.redirect(f"/coordinator/temperatures/{reading_id}", flash=message)
            )
    return await _reading_review_page(ui, db_session, reading_id, {"review": form}, form.status)


@post("/coordinator/temperatures/{reading_id:int}/hold", opt=page(**allow(*MANAGERS)), include_in_schema=False)
async def hold_lots(ui: Ui, principal: Principal, db_session: AsyncSession, reading_id: int) -> Response[Any]:
    form = await load_form(ui, FormSchema)
    if (replay := await form.replayed(db_session)) is not None:
        return replay
    held = await attempt(
        form, db_session, lambda: services.hold_location(db_session, actor_id=principal.id, reading_id=reading_id)
    )
    if held is None:
        return await _reading_review_page(ui, db_session, reading_id, {"hold": form}, form.status)
    message = ui._(
        "%(num)s lots are on hold: they will not be picked until the reading is reviewed and they are released.",
        num=len(held),
    )
    return await form.remember(db_session, ui.redirect(f"/coordinator/temperatures/{reading_id}", flash=message))


HANDLERS = [
    reading_page,
    record_reading,
    overview,
    change_limit,
    reading_review_page,
    review_reading,
    hold_lots,
]
