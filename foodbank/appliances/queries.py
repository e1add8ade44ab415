"""Named reads of the appliance bank: units by status and category, a unit's history, counts, the
waiting list, and deliveries per fiscal year. Households appear by code only; a consultant sees the
waiting-list entries of their own agency's referrals, nothing else."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Integer, case, cast, distinct, exists, extract, false, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.accounts import queries as account_queries
from foodbank.appliances import rules
from foodbank.config import ApplianceSettings
from foodbank.lib.access import Principal
from foodbank.models import (
    ApplianceCategory,
    ApplianceCategoryRow,
    ApplianceDelivery,
    ApplianceDisposal,
    ApplianceInspection,
    ApplianceReservation,
    ApplianceReservationStatus,
    ApplianceStatus,
    ApplianceStatusChange,
    ApplianceUnit,
    CheckResult,
    Household,
    InspectionCheck,
    Location,
    Referral,
    ReferralRequest,
    ReferralStatus,
    Role,
    Urgency,
)
from foodbank.reports import rules as fiscal_years

CURRENT = (ApplianceReservationStatus.open, ApplianceReservationStatus.delivered)
"""A unit's current reservation is open, or delivered; released ones are history."""
OPEN_REFERRAL = (ReferralStatus.submitted, ReferralStatus.accepted)
URGENCY_ORDER = {Urgency.emergency: 0, Urgency.urgent: 1, Urgency.normal: 2}


# --- categories ------------------------------------------------------------------------------------


async def category_rows(session: AsyncSession) -> Sequence[ApplianceCategoryRow]:
    """The categories of the appliance bank, in display order."""
    return (await session.scalars(select(ApplianceCategoryRow).order_by(ApplianceCategoryRow.sort_order))).all()


async def categories(session: AsyncSession, settings: ApplianceSettings) -> list[dict[str, Any]]:
    rows = await category_rows(session)
    return [
        {
            "code": row.code,
            "name_ja": row.name_ja,
            "name_en": row.name_en,
            "recycling_law": row.recycling_law,
            "max_age_years": settings.max_age_for(row.code.value),
        }
        for row in rows
    ]


async def category_names(session: AsyncSession) -> dict[ApplianceCategory, tuple[str, ...]]:
    """The names a referral may use for a category, in display order: the Japanese and English names, and
    each part of them (冷蔵庫・冷凍庫 is also 冷蔵庫 and 冷凍庫; "Washing machine or dryer" also "dryer")."""
    rows = await category_rows(session)
    return {row.code: (row.name_ja, row.name_en, *row.name_ja.split("・"), *row.name_en.split(" or ")) for row in rows}


# --- units -----------------------------------------------------------------------------------------


async def units(
    session: AsyncSession,
    *,
    status: Sequence[ApplianceStatus] | None = None,
    category: Sequence[ApplianceCategory] | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Units, oldest received first (what has waited longest comes first)."""
    stmt = (
        select(ApplianceUnit, Location.code)
        .join(Location, Location.id == ApplianceUnit.location_id)
        .order_by(ApplianceUnit.received_date, ApplianceUnit.id)
        .limit(limit)
    )
    if status:
        stmt = stmt.where(ApplianceUnit.status.in_(status))
    if category:
        stmt = stmt.where(ApplianceUnit.category.in_(category))
    return await _shown(session, [(unit, code) for unit, code in (await session.execute(stmt)).all()])


async def oldest_by_status(
    session: AsyncSession, *, category: Sequence[ApplianceCategory] | None = None, limit: int = 100
) -> dict[ApplianceStatus, list[dict[str, Any]]]:
    """For each status, its `limit` units received longest ago (as `units` lists them), in one read:
    the board's columns."""
    rank = (
        func.row_number()
        .over(partition_by=ApplianceUnit.status, order_by=(ApplianceUnit.received_date, ApplianceUnit.id))
        .label("rank")
    )
    ranked = select(ApplianceUnit.id, rank)
    if category:
        ranked = ranked.where(ApplianceUnit.category.in_(category))
    first = ranked.subquery()
    stmt = (
        select(ApplianceUnit, Location.code)
        .join(first, first.c.id == ApplianceUnit.id)
        .join(Location, Location.id == ApplianceUnit.location_id)
        .where(first.c.rank <= limit)
        .order_by(ApplianceUnit.received_date, ApplianceUnit.id)
    )
    shown = await _shown(session, [(unit, code) for unit, code in (await session.execute(stmt)).all()])
    columns: dict[ApplianceStatus, list[dict[str, Any]]] = {status: [] for status in ApplianceStatus}
    for row in shown:
        columns[ApplianceStatus(row["status"])].append(row)
    return columns


async def unit(session: AsyncSession, unit_id: int) -> dict[str, Any] | None:
    stmt = (
        select(ApplianceUnit, Location.code)
        .join(Location, Location.id == ApplianceUnit.location_id)
        .where(ApplianceUnit.id == unit_id)
    )
    row = (await session.execute(stmt)).first()
    if row is None:
        return None
    return (await _shown(session, [(row[0], row[1])]))[0]


def _columns(obj: Any) -> dict[str, Any]:
    return {column.key: getattr(obj, column.key) for column in obj.__table__.columns}


async def _shown(session: AsyncSession, rows: list[tuple[ApplianceUnit, str]]) -> list[dict[str, Any]]:
    """Units with their location code, next steps, current reservation, delivery and disposal."""
    ids = [u.id for u, _ in rows]
    if not ids:
        return []
    reservations = {
        r["unit_id"]: r
        for r in await _reservations(
            session, ApplianceReservation.unit_id.in_(ids), ApplianceReservation.status.in_(CURRENT)
        )
    }
    deliveries = {
        d.unit_id: _columns(d)
        for d in (await session.scalars(select(ApplianceDelivery).where(ApplianceDelivery.unit_id.in_(ids)))).all()
    }
    disposals = {
        d.unit_id: _columns(d)
        for d in (await session.scalars(select(ApplianceDisposal).where(ApplianceDisposal.unit_id.in_(ids)))).all()
    }
    return [
        {
            **_columns(u),
            "location_code": location_code,
            "allowed_actions": [a.value for a in rules.allowed_actions(u.status)],
            "reservation": reservations.get(u.id),
            "delivery": deliveries.get(u.id),
            "disposal": disposals.get(u.id),
        }
        for u, location_code in rows
    ]


async def _reservations(session: AsyncSession, *conditions: Any) -> list[dict[str, Any]]:
    stmt = (
        select(ApplianceReservation, Household.code)
        .join(Household, Household.id == ApplianceReservation.household_id)
        .where(*conditions)
        .order_by(ApplianceReservation.id)
    )
    return [{**_columns(r), "household_code": code} for r, code in (await session.execute(stmt)).all()]


async def current_reservation(session: AsyncSession, unit_id: int, *, for_update: bool = False) -> ApplianceReservation:
    """The open reservation of a unit that is reserved (there is exactly one: the unique index)."""
    stmt = select(ApplianceReservation).where(
        ApplianceReservation.unit_id == unit_id, ApplianceReservation.status == ApplianceReservationStatus.open
    )
    if for_update:
        stmt = stmt.with_for_update()
    reservation: ApplianceReservation = (await session.scalars(stmt)).one()
    return reservation


async def covering_reservation(session: AsyncSession, referral_id: int) -> ApplianceReservation | None:
    """The open or delivered reservation made through a referral, if any (a referral covers one unit)."""
    reservation: ApplianceReservation | None = await session.scalar(
        select(ApplianceReservation).where(
            ApplianceReservation.referral_id == referral_id, ApplianceReservation.status.in_(CURRENT)
        )
    )
    return reservation


async def latest_checks(session: AsyncSession, unit_id: int) -> dict[InspectionCheck, CheckResult]:
    """The latest result of each kind of check of a unit."""
    stmt = (
        select(ApplianceInspection.kind, ApplianceInspection.result)
        .where(ApplianceInspection.unit_id == unit_id)
        .order_by(ApplianceInspection.id)
    )
    return {kind: result for kind, result in (await session.execute(stmt)).all()}  # a later row wins


async def history(session: AsyncSession, unit_id: int) -> dict[str, Any] | None:
    found = await session.get(ApplianceUnit, unit_id)
    if found is None:
        return None
    changes = (
        await session.scalars(
            select(ApplianceStatusChange)
            .where(ApplianceStatusChange.unit_id == unit_id)
            .order_by(ApplianceStatusChange.id)
        )
    ).all()
    inspections = (
        await session.scalars(
            select(ApplianceInspection).where(ApplianceInspection.unit_id == unit_id).order_by(ApplianceInspection.id)
        )
    ).all()
    return {
        "id": found.id,
        "code": found.code,
        "status": found.status,
        "status_changes": list(changes),
        "inspections": list(inspections),
        "reservations": await _reservations(session, ApplianceReservation.unit_id == unit_id),
    }


async def people(session: AsyncSession, user_ids: Collection[int | None]) -> dict[int, str]:
    """The display names of the staff a unit's history names (who registered, checked, reserved...)."""
    return await account_queries.display_names(session, user_ids)


async def counts(session: AsyncSession) -> dict[str, Any]:
    """Units by category and status; every status and category appears, zeros included."""
    rows = (
        await session.execute(
            select(ApplianceUnit.category, ApplianceUnit.status, func.count()).group_by(
                ApplianceUnit.category, ApplianceUnit.status
            )
        )
    ).all()
    found: dict[tuple[ApplianceCategory, ApplianceStatus], int] = {(c, s): n for c, s, n in rows}
    by_category = []
    for row in (await session.scalars(select(ApplianceCategoryRow).order_by(ApplianceCategoryRow.sort_order))).all():
        by_status = {s.value: found.get((row.code, s), 0) for s in ApplianceStatus}
        by_category.append(
            {
                "category": row.code,
                "name_ja": row.name_ja,
                "recycling_law": row.recycling_law,
                "total": sum(by_status.values()),
                "by_status": by_status,
            }
        )
    by_status = {s.value: sum(n for (_, st), n in found.items() if st is s) for s in ApplianceStatus}
    return {"total": sum(by_status.values()), "by_status": by_status, "by_category": by_category}


# --- waiting list ----------------------------------------------------------------------------------


async def waiting_list(
    session: AsyncSession, principal: Principal, *, today: date, category: ApplianceCategory | None = None
) -> list[dict[str, Any]]:
    """Open referrals (submitted or accepted, not run out) that ask for an appliance and are not yet
    covered by a reservation or delivery; by category (in the category table's order, unknown
    categories last), then urgency (emergency, urgent, normal), then referred date. Each entry lists
    the units of its category available now."""
    urgency_rank = case(
        *((Referral.urgency == urgency, rank) for urgency, rank in URGENCY_ORDER.items()), else_=len(URGENCY_ORDER)
    )
    covered = exists().where(ApplianceReservation.referral_id == Referral.id, ApplianceReservation.status.in_(CURRENT))
    stmt = (
        select(Referral, Household.code)
        .join(Household, Household.id == Referral.household_id)
        .where(
            Referral.request.in_((ReferralRequest.appliance, ReferralRequest.both)),
            Referral.status.in_(OPEN_REFERRAL),
            Referral.valid_until >= today,
            ~covered,
        )
        .order_by(urgency_rank, Referral.referred_on, Referral.id)
    )
    if not principal.has(Role.admin, Role.coordinator, Role.warehouse):
        if principal.has(Role.consultant) and principal.agency_id is not None:
            stmt = stmt.where(Referral.agency_id == principal.agency_id)
        else:
            stmt = stmt.where(false())
    names = await category_names(session)
    order = {c: n for n, c in enumerate(names)}
    available: dict[ApplianceCategory, list[int]] = defaultdict(list)
    for unit_id, unit_category in (
        await session.execute(
            select(ApplianceUnit.id, ApplianceUnit.category)
            .where(ApplianceUnit.status == ApplianceStatus.available)
            .order_by(ApplianceUnit.received_date, ApplianceUnit.id)
        )
    ).all():
        available[unit_category].append(unit_id)

    entries: list[dict[str, Any]] = []
    for referral, household_code in (await session.execute(stmt)).all():
        asked = rules.category_asked_for(referral.appliance_category, names)
        if category is not None and asked is not category:
            continue
        ids = available[asked] if asked is not None else []
        entries.append(
            {
                "referral_id": referral.id,
                "referral_status": referral.status,
                "agency_id": referral.agency_id,
                "household_code": household_code,
                "category": asked,
                "requested_category": referral.appliance_category or "",
                "urgency": referral.urgency,
                "referred_on": referral.referred_on,
                "valid_from": referral.valid_from,
                "valid_until": referral.valid_until,
                "available_units": len(ids),
                "available_unit_ids": ids,
            }
        )
    entries.sort(key=lambda e: order.get(e["category"], len(order)))  # stable: urgency and date stay in order
    positions: dict[ApplianceCategory | None, int] = defaultdict(int)
    for entry in entries:
        positions[entry["category"]] += 1
        entry["position"] = positions[entry["category"]]
    return entries


# --- deliveries per fiscal year --------------------------------------------------------------------


async def deliveries_by_fiscal_year(
    session: AsyncSession, *, start_month: int = 4, fiscal_year: int | None = None
) -> list[dict[str, Any]]:
    """Deliveries per fiscal year (named by the calendar year it starts in): units (延べ), distinct
    households (実), through a referral, with installation, and by category."""
    delivered_on = ApplianceDelivery.delivered_on
    # The start month goes into the SQL as a literal (a checked whole number), so that the expression
    # in SELECT and in GROUP BY is the same text: with two bind parameters PostgreSQL could not tell.
    month = literal_column(str(int(start_month)), Integer)
    year = cast(extract("year", delivered_on), Integer) - case((extract("month", delivered_on) < month, 1), else_=0)
    base = (
        select()
        .select_from(ApplianceDelivery)
        .join(ApplianceReservation, ApplianceReservation.id == ApplianceDelivery.reservation_id)
        .join(ApplianceUnit, ApplianceUnit.id == ApplianceDelivery.unit_id)
    )
    if fiscal_year is not None:
        first, last = fiscal_years.fiscal_year_bounds(fiscal_year, start_month)
        base = base.where(delivered_on.between(first, last))
    totals = (
        await session.execute(
            base.add_columns(
                year.label("fy"),
                func.count().label("deliveries"),
                func.count(distinct(ApplianceReservation.household_id)).label("households"),
                func.count().filter(ApplianceReservation.referral_id.is_not(None)).label("through_referral"),
                func.count().filter(ApplianceDelivery.installed).label("with_installation"),
            )
            .group_by(year)
            .order_by(year)
        )
    ).all()
    per_category = (
        await session.execute(
            base.add_columns(year.label("fy"), ApplianceUnit.category, func.count()).group_by(
                year, ApplianceUnit.category
            )
        )
    ).all()
    names = await category_names(session)
    by_year: defaultdict[int, dict[ApplianceCategory, int]] = defaultdict(dict)
    for fy, unit_category, n in per_category:
        by_year[fy][unit_category] = n
    found = {row.fy: row for row in totals}
    years = sorted(found) if fiscal_year is None else [fiscal_year]
    result = []
    for fy in years:
        row = found.get(fy)
        first, last = fiscal_years.fiscal_year_bounds(fy, start_month)
        result.append(
            {
                "fiscal_year": fy,
                "label_ja": fiscal_years.japanese_year_label(fy),
                "label_en": fiscal_years.english_year_label(fy),
                "starts_on": first,
                "ends_on": last,
                "deliveries": row.deliveries if row else 0,
                "households": row.households if row else 0,
                "through_referral": row.through_referral if row else 0,
                "with_installation": row.with_installation if row else 0,
                "by_category": [
                    {"category": c, "name_ja": names[c][0], "deliveries": by_year[fy][c]}
                    for c in names
                    if c in by_year[fy]
                ],
            }
        )
    return result
