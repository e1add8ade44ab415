"""The annual summary's reads: every figure is an aggregate done in SQL, dated and counted as
`foodbank.reports.rules` says. Each function returns plain rows; `documents.annual_summary` shapes them.

The hand-outs of the year are read once, with the units and kg each one stored when its lines were
written (net of returns, kept by `distributions.services`), into a materialised CTE that one statement
aggregates in every way the report needs: no distribution line is read. Stock flows read the ledger's
per-day sums (`stock_day`, kept by a trigger on the ledger), never the ledger itself.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


def _json(value: Any) -> Any:
    """json_agg results: numbers as Decimal, so kg stay exact."""
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        return value
    return json.loads(value, parse_float=Decimal)


HANDOUTS = """
WITH d AS MATERIALIZED (
    SELECT d.id, d.household_id, d.channel, d.distributed_on, d.handed_over_by_id, d.walk_in,
           d.pantry_event_id, d.partner_programme_id, coalesce(d.people, 0) AS people,
           date_trunc('month', d.distributed_on)::date AS month, d.units, d.kg
    FROM distribution d
    WHERE d.distributed_on BETWEEN :first AND :last AND d.units > 0
), individual AS (
    SELECT * FROM d WHERE channel IN ('delivery', 'pickup')
)
SELECT
    (SELECT coalesce(json_agg(x), '[]') FROM (
        SELECT channel, count(*) AS handouts, count(household_id) AS households, sum(units) AS units,
               sum(kg) AS kg, sum(people) AS people
        FROM d GROUP BY channel) x) AS by_channel,
    (SELECT coalesce(json_agg(x), '[]') FROM (
        SELECT * FROM (
            SELECT month, channel, count(*) AS handouts, count(household_id) AS households, sum(units) AS units,
                   sum(kg) AS kg, sum(people) AS people
            FROM d GROUP BY month, channel) m
        JOIN (SELECT month, channel, count(*) AS occasions  -- a DISTINCT that hashes, where count(DISTINCT) sorts
              FROM (SELECT DISTINCT month, channel, distributed_on, handed_over_by_id FROM d) rounds
              GROUP BY month, channel) o USING (month, channel)) x) AS monthly,
    (SELECT row_to_json(x) FROM (
        SELECT (SELECT count(*) FROM (SELECT DISTINCT distributed_on, channel, handed_over_by_id
                                      FROM individual) rounds) AS occasions,
               count(*) AS households_total, count(DISTINCT household_id) AS households_distinct,
               coalesce(sum(people), 0) AS people_total
        FROM individual) x) AS individual,
    (SELECT coalesce(sum(most), 0) FROM (
        SELECT max(people) AS most FROM individual GROUP BY household_id) x) AS individual_people_distinct,
    (SELECT row_to_json(x) FROM (
        SELECT count(household_id) AS households_total, count(DISTINCT household_id) AS households_distinct,
               coalesce(sum(people), 0) AS people_served_total
        FROM d) x) AS all_channels,
    (SELECT row_to_json(x) FROM (
        SELECT count(household_id) AS households_total, count(DISTINCT household_id) AS households_distinct
        FROM d WHERE channel = 'pantry') x) AS pantry,
    (SELECT coalesce(json_agg(x), '[]') FROM (
        SELECT pantry_event_id, count(household_id) AS households,
               coalesce(sum(people) FILTER (WHERE NOT walk_in), 0) AS registered_people,
               count(*) FILTER (WHERE walk_in) AS walk_in_parcels,
               coalesce(sum(people) FILTER (WHERE walk_in), 0) AS walk_in_people,
               sum(kg) AS kg
        FROM d WHERE pantry_event_id IS NOT NULL GROUP BY pantry_event_id) x) AS pantry_events,
    (SELECT coalesce(json_agg(x), '[]') FROM (
        SELECT partner_programme_id, count(*) AS sessions, sum(people) AS people, sum(units) AS units,
               sum(kg) AS kg
        FROM d WHERE partner_programme_id IS NOT NULL GROUP BY partner_programme_id) x) AS partners
"""


async def handouts(session: AsyncSession, first: date, last: date) -> dict[str, Any]:
    row = (await session.execute(text(HANDOUTS), {"first": first, "last": last})).mappings().one()
    return {key: _json(value) if key != "individual_people_distinct" else int(value) for key, value in row.items()}


RECEIVED = """
SELECT r.id AS receipt_id, r.donor_id, dn.kind AS donor_kind, c.code AS category,
       date_trunc('month', r.received_date)::date AS month,
       l.quantity_received AS units, l.quantity_received * i.unit_weight_kg AS kg
FROM lot l
JOIN receipt r ON r.id = l.receipt_id
JOIN donor dn ON dn.id = r.donor_id
JOIN item i ON i.id = l.item_id
JOIN category c ON c.id = i.category_id
WHERE r.kind = 'donation' AND l.parent_lot_id IS NULL AND r.received_date BETWEEN :first AND :last
"""


# Each grouping set of `received`, by its GROUPING() mask over (donor_kind, category, from_food_banks,
# month) (a bit set: not grouped by that column), and the columns its rows keep.
RECEIVED_SETS = {
    0b0111: ("by_donor_kind", ("donor_kind", "donations", "donors", "units", "kg")),
    0b1001: ("by_category", ("category", "from_food_banks", "units", "kg")),
    0b1101: ("totals", ("from_food_banks", "donations", "donors", "units", "kg")),
    0b1110: ("monthly", ("month", "donations", "units", "kg")),
}


async def received(session: AsyncSession, first: date, last: date) -> dict[str, list[dict[str, Any]]]:
    """Donated lots of the year (lots split off by transfers are not received again): by donor kind, by
    category, in all and by month, in one statement (grouping sets over one read of the year's lots)."""
    sql = f"""
        SELECT GROUPING(donor_kind, category, from_food_banks, month) AS grouping_set,
               donor_kind, category, from_food_banks, month,
               count(DISTINCT receipt_id) AS donations, count(DISTINCT donor_id) AS donors,
               sum(units) AS units, sum(kg) AS kg
        FROM (SELECT *, donor_kind = 'other_food_bank' AS from_food_banks FROM ({RECEIVED}) r) x
        GROUP BY GROUPING SETS ((donor_kind), (category, from_food_banks), (from_food_banks), (month))"""
    found: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in RECEIVED_SETS.values()}
    for row in (await session.execute(text(sql), {"first": first, "last": last})).mappings():
        name, columns = RECEIVED_SETS[row["grouping_set"]]
        found[name].append({column: row[column] for column in columns})
    return found


# The ledger's per-day sums up to the year's end: by category, flow and month (days before the year: opening).
STOCK_FLOWS = """
SELECT c.code AS category,
       CASE WHEN a.day < :first THEN 'opening'
            WHEN a.kind = 'receipt' THEN 'receipt_' || a.detail
            WHEN a.kind IN ('issue', 'return') THEN 'distributed'
            WHEN a.kind = 'disposal' THEN 'disposal_' || a.detail
            ELSE a.kind::text END AS flow,
       CASE WHEN a.day >= :first THEN date_trunc('month', a.day)::date END AS month,
       sum(a.units) AS units, sum(a.kg) AS kg
FROM stock_day a JOIN category c ON c.id = a.category_id
WHERE a.day <= :last GROUP BY 1, 2, 3
"""


async def stock_flows(session: AsyncSession, first: date, last: date) -> dict[str, list[dict[str, Any]]]:
    """Stock on hand the day before the year and at its end, by category, and what moved it in between.

    One pass over the ledger's per-day sums (`stock_day`, dated as `rules` says): days before the year
    are summed as `opening`, those of the year by flow and month; closing stock is opening plus the
    year's flows (later days are left out)."""
    rows = (await session.execute(text(STOCK_FLOWS), {"first": first, "last": last})).mappings().all()
    balances: dict[str, dict[str, Any]] = {}
    flows: dict[tuple[str, date], dict[str, Any]] = {}
    for row in rows:
        balance = balances.setdefault(
            row["category"],
            {"category": row["category"], "opening_units": 0, "opening_kg": 0, "closing_units": 0, "closing_kg": 0},
        )
        if row["flow"] == "opening":
            balance["opening_units"] += row["units"]
            balance["opening_kg"] += row["kg"]
        else:
            flow = flows.setdefault(
                (row["flow"], row["month"]), {"flow": row["flow"], "month": row["month"], "units": 0, "kg": 0}
            )
            flow["units"] += row["units"]
            flow["kg"] += row["kg"]
        balance["closing_units"] += row["units"]
        balance["closing_kg"] += row["kg"]
    return {"balances": list(balances.values()), "flows": list(flows.values())}


async def pantry_days(session: AsyncSession, first: date, last: date) -> list[dict[str, Any]]:
    """The year's pantry days that were not cancelled, in date order."""
    sql = """
        SELECT e.id, e.event_date, e.status, v.name AS venue, v.municipality
        FROM pantry_event e JOIN pantry_venue v ON v.id = e.venue_id
        WHERE e.event_date BETWEEN :first AND :last AND e.status <> 'cancelled'
        ORDER BY e.event_date, e.id"""
    return [dict(row) for row in (await session.execute(text(sql), {"first": first, "last": last})).mappings()]


async def partner_programmes(session: AsyncSession) -> list[dict[str, Any]]:
    sql = "SELECT id, name, kind FROM partner_programme ORDER BY name"
    return [dict(row) for row in (await session.execute(text(sql))).mappings()]


async def appliances(session: AsyncSession, first: date, last: date) -> list[dict[str, Any]]:
    """Per category: units received, delivered and disposed in the year (recycling-law disposals apart)."""
    sql = """
        SELECT c.code AS category, c.name_ja, c.name_en, c.recycling_law,
               (SELECT count(*) FROM appliance_unit u
                 WHERE u.category = c.code AND u.received_date BETWEEN :first AND :last) AS received,
               (SELECT count(*) FROM appliance_delivery dl JOIN appliance_unit u ON u.id = dl.unit_id
                 WHERE u.category = c.code AND dl.delivered_on BETWEEN :first AND :last) AS delivered,
               (SELECT count(*) FROM appliance_disposal dp JOIN appliance_unit u ON u.id = dp.unit_id
                 WHERE u.category = c.code AND dp.disposed_on BETWEEN :first AND :last) AS disposed,
               (SELECT count(*) FROM appliance_disposal dp JOIN appliance_unit u ON u.id = dp.unit_id
                 WHERE u.category = c.code AND dp.disposed_on BETWEEN :first AND :last
                   AND dp.recycling_law) AS disposed_recycling
        FROM appliance_category c ORDER BY c.sort_order"""
    return [dict(row) for row in (await session.execute(text(sql), {"first": first, "last": last})).mappings()]


async def referrals(session: AsyncSession, first: date, last: date) -> dict[str, list[dict[str, Any]]]:
    """Referrals made in the year, by agency, who consulted, what was asked, outcome and month."""
    params = {"first": first, "last": last}
    year = "FROM referral r WHERE r.referred_on BETWEEN :first AND :last"
    queries = {
        "by_agency": """SELECT a.name AS agency, a.kind, count(r.id) AS referrals,
                                count(DISTINCT r.household_id) AS households
                         FROM agency a JOIN referral r ON r.agency_id = a.id
                         WHERE r.referred_on BETWEEN :first AND :last
                         GROUP BY a.id, a.name, a.kind ORDER BY count(r.id) DESC, a.name""",
        "by_who_consulted": f"SELECT who_consulted AS key, count(*) AS referrals {year} GROUP BY 1",
        "by_request": f"SELECT request AS key, count(*) AS referrals {year} GROUP BY 1",
        "by_outcome": f"SELECT status AS key, count(*) AS referrals {year} GROUP BY 1",
        "monthly": f"SELECT date_trunc('month', referred_on)::date AS month, count(*) AS referrals {year} GROUP BY 1",
        "totals": f"SELECT count(*) AS referrals, count(DISTINCT household_id) AS households {year}",
    }
    return {
        name: [dict(row) for row in (await session.execute(text(sql), params)).mappings()]
        for name, sql in queries.items()
    }


async def category_names(session: AsyncSession) -> dict[str, tuple[str, str]]:
    """Japanese and English names of the food categories, by code, in the order they were created."""
    categories = (await session.execute(text("SELECT code, name_ja, name_en FROM category ORDER BY id"))).all()
    return {code: (ja, en) for code, ja, en in categories}
