"""The annual summary as a typed document, and the same figures as titled tables.

`annual_summary` shapes the rows of `queries` into an `AnnualSummary` (served as JSON). `tables`
lays that one object out as sections of tables in Japanese or English, and every other format is
drawn from those tables: the HTML page and the PDF (templates/documents/annual_summary.html), the
CSV and the Excel workbook (`foodbank.reports.exports`). One set of figures, five formats.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from foodbank.reports import labels, rules
from foodbank.reports.labels import Label, pick

ZERO = Decimal("0.000")
FOOD_BANKS = "other_food_bank"
"""Donor kind shown apart: food passed on by another food bank is not food rescued by this one."""


def kg(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.001"))


@dataclass(frozen=True)
class Row:
    """One line of a breakdown; the measures that do not apply to it are None."""

    key: str
    label_ja: str
    label_en: str
    count: int | None = None
    distinct: int | None = None
    households: int | None = None
    people: int | None = None
    units: int | None = None
    kg: Decimal | None = None


@dataclass(frozen=True)
class Amount:
    units: int = 0
    kg: Decimal = ZERO


@dataclass(frozen=True)
class Received:
    donations: int
    donors: int
    units: int
    kg: Decimal


@dataclass(frozen=True)
class IndividualSupport:
    occasions: int
    households_total: int
    households_distinct: int
    people_total: int
    people_distinct: int


@dataclass(frozen=True)
class HouseholdsServed:
    households_total: int
    households_distinct: int


@dataclass(frozen=True)
class PantryDay:
    event_id: int
    event_date: date
    venue: str
    status: str
    households: int
    registered_people: int
    walk_in_parcels: int
    walk_in_people: int
    kg: Decimal

    @property
    def people(self) -> int:
        return self.registered_people + self.walk_in_people


@dataclass(frozen=True)
class Pantry:
    days_held: int
    people_served: int
    households_total: int
    households_distinct: int
    walk_in_parcels: int
    walk_in_people: int
    days: list[PantryDay]


@dataclass(frozen=True)
class Programme:
    programme_id: int
    name: str
    kind: str
    kind_ja: str
    kind_en: str
    sessions: int
    people: int
    kg: Decimal


@dataclass(frozen=True)
class Partners:
    sessions: int
    people: int
    cafeteria_sessions: int
    cafeteria_people: int
    programmes: list[Programme]


@dataclass(frozen=True)
class ApplianceRow:
    category: str
    name_ja: str
    name_en: str
    recycling_law: bool
    received: int
    delivered: int
    disposed: int
    disposed_recycling: int


@dataclass(frozen=True)
class Referrals:
    referrals: int
    households: int
    by_agency: list[Row]
    by_who_consulted: list[Row]
    by_request: list[Row]
    by_outcome: list[Row]


@dataclass(frozen=True)
class Stock:
    opening: Amount
    closing: Amount
    received: Amount
    opening_balances: Amount
    distributed: Amount
    disposed: Amount
    adjusted: Amount
    transferred: Amount
    by_category: list[Row]


@dataclass(frozen=True)
class Month:
    month: date
    received_kg: Decimal
    donations: int
    distributed_kg: Decimal
    individual_occasions: int
    individual_households: int
    individual_people: int
    pantry_people: int
    partner_sessions: int
    partner_people: int
    referrals: int
    disposed_kg: Decimal


@dataclass(frozen=True)
class AnnualSummary:
    fiscal_year: int
    start_month: int
    label_ja: str
    label_en: str
    starts_on: date
    ends_on: date
    organisation: str
    generated_on: date
    received_from_donors: Received
    received_from_food_banks: Received
    received_by_donor_kind: list[Row]
    received_by_category: list[Row]
    distributed: Amount
    distributed_by_channel: list[Row]
    individual_support: IndividualSupport
    households_served: HouseholdsServed
    people_served_total: int  # every channel, walk-ins and partner programmes included (延べ)
    pantry: Pantry
    partners: Partners
    appliances: list[ApplianceRow]
    referrals: Referrals
    disposals: list[Row]
    stock: Stock
    months: list[Month]


def _labelled(mapping: dict[str, Label], key: str) -> Label:
    return mapping.get(key, (key, key))


def annual_summary(
    *,
    fiscal_year: int,
    start_month: int,
    organisation: str,
    generated_on: date,
    handouts: dict[str, Any],
    received: dict[str, list[dict[str, Any]]],
    stock: dict[str, list[dict[str, Any]]],
    pantry_days: list[dict[str, Any]],
    programmes: list[dict[str, Any]],
    appliances: list[dict[str, Any]],
    referrals: dict[str, list[dict[str, Any]]],
    categories: dict[str, tuple[str, str]],
) -> AnnualSummary:
    first, last = rules.fiscal_year_bounds(fiscal_year, start_month)
    months = rules.fiscal_months(fiscal_year, start_month)

    # Received -------------------------------------------------------------------------------------
    totals = {row["from_food_banks"]: row for row in received["totals"]}

    def received_total(from_food_banks: bool) -> Received:
        row = totals.get(from_food_banks, {})
        return Received(row.get("donations", 0), row.get("donors", 0), int(row.get("units") or 0), kg(row.get("kg")))

    by_kind = {row["donor_kind"]: row for row in received["by_donor_kind"]}
    received_by_donor_kind = [
        Row(
            kind,
            *_labelled(labels.DONOR_KINDS, kind),
            count=by_kind.get(kind, {}).get("donations", 0),
            distinct=by_kind.get(kind, {}).get("donors", 0),
            units=int(by_kind.get(kind, {}).get("units") or 0),
            kg=kg(by_kind.get(kind, {}).get("kg")),
        )
        for kind in labels.DONOR_KINDS
    ]
    by_category = {row["category"]: row for row in received["by_category"] if not row["from_food_banks"]}
    received_by_category = [
        Row(
            code,
            ja,
            en,
            units=int(by_category.get(code, {}).get("units") or 0),
            kg=kg(by_category.get(code, {}).get("kg")),
        )
        for code, (ja, en) in categories.items()
    ]

    # Hand-outs ------------------------------------------------------------------------------------
    by_channel = {row["channel"]: row for row in handouts["by_channel"]}
    distributed_by_channel = [
        Row(
            channel,
            *_labelled(labels.CHANNELS, channel),
            count=by_channel.get(channel, {}).get("handouts", 0),
            households=by_channel.get(channel, {}).get("households", 0),
            people=by_channel.get(channel, {}).get("people", 0),
            units=int(by_channel.get(channel, {}).get("units") or 0),
            kg=kg(by_channel.get(channel, {}).get("kg")),
        )
        for channel in labels.CHANNELS
    ]
    distributed = Amount(
        sum(r.units or 0 for r in distributed_by_channel), kg(sum(r.kg or 0 for r in distributed_by_channel))
    )
    individual = handouts["individual"]
    individual_support = IndividualSupport(
        occasions=individual["occasions"],
        households_total=individual["households_total"],
        households_distinct=individual["households_distinct"],
        people_total=individual["people_total"],
        people_distinct=handouts["individual_people_distinct"],
    )
    households_served = HouseholdsServed(
        handouts["all_channels"]["households_total"], handouts["all_channels"]["households_distinct"]
    )

    # Pantry days ----------------------------------------------------------------------------------
    at_event = {row["pantry_event_id"]: row for row in handouts["pantry_events"]}
    days = [
        PantryDay(
            event_id=event["id"],
            event_date=event["event_date"],
            venue=event["venue"],
            status=str(event["status"]),
            households=at_event.get(event["id"], {}).get("households", 0),
            registered_people=at_event.get(event["id"], {}).get("registered_people", 0),
            walk_in_parcels=at_event.get(event["id"], {}).get("walk_in_parcels", 0),
            walk_in_people=at_event.get(event["id"], {}).get("walk_in_people", 0),
            kg=kg(at_event.get(event["id"], {}).get("kg")),
        )
        for event in pantry_days
    ]
    pantry_channel = by_channel.get("pantry", {})
    pantry = Pantry(
        days_held=sum(1 for day in days if day.status == "closed"),
        people_served=pantry_channel.get("people", 0),
        households_total=handouts["pantry"]["households_total"],
        households_distinct=handouts["pantry"]["households_distinct"],
        walk_in_parcels=sum(row["walk_in_parcels"] for row in handouts["pantry_events"]),
        walk_in_people=sum(row["walk_in_people"] for row in handouts["pantry_events"]),
        days=days,
    )

    # Cafeterias and partners ----------------------------------------------------------------------
    served = {row["partner_programme_id"]: row for row in handouts["partners"]}
    programme_rows = [
        Programme(
            programme_id=p["id"],
            name=p["name"],
            kind=str(p["kind"]),
            kind_ja=_labelled(labels.PARTNER_KINDS, str(p["kind"]))[0],
            kind_en=_labelled(labels.PARTNER_KINDS, str(p["kind"]))[1],
            sessions=served[p["id"]]["sessions"],
            people=served[p["id"]]["people"],
            kg=kg(served[p["id"]]["kg"]),
        )
        for p in programmes
        if p["id"] in served
    ]
    cafeterias = [p for p in programme_rows if p.kind == "cafeteria"]
    partners = Partners(
        sessions=sum(p.sessions for p in programme_rows),
        people=sum(p.people for p in programme_rows),
        cafeteria_sessions=sum(p.sessions for p in cafeterias),
        cafeteria_people=sum(p.people for p in cafeterias),
        programmes=programme_rows,
    )

    # Appliances, referrals, disposals, stock ------------------------------------------------------
    appliance_rows = [
        ApplianceRow(
            str(a["category"]),
            a["name_ja"],
            a["name_en"],
            a["recycling_law"],
            a["received"],
            a["delivered"],
            a["disposed"],
            a["disposed_recycling"],
        )
        for a in appliances
    ]

    def counted(rows: list[dict[str, Any]], mapping: dict[str, Label]) -> list[Row]:
        found = {str(row["key"]): row["referrals"] for row in rows}
        return [Row(key, *_labelled(mapping, key), count=found.get(key, 0)) for key in mapping]

    referral_totals = referrals["totals"][0] if referrals["totals"] else {"referrals": 0, "households": 0}
    referral_summary = Referrals(
        referrals=referral_totals["referrals"],
        households=referral_totals["households"],
        by_agency=[
            Row(row["agency"], row["agency"], row["agency"], count=row["referrals"], households=row["households"])
            for row in referrals["by_agency"]
        ],
        by_who_consulted=counted(referrals["by_who_consulted"], labels.WHO_CONSULTED),
        by_request=counted(referrals["by_request"], labels.REQUESTS),
        by_outcome=counted(referrals["by_outcome"], labels.OUTCOMES),
    )

    flows: dict[str, Amount] = defaultdict(Amount)
    flows_by_month: dict[tuple[str, date], Decimal] = defaultdict(Decimal)
    for row in stock["flows"]:
        before = flows[row["flow"]]
        flows[row["flow"]] = Amount(before.units + int(row["units"]), kg(before.kg + row["kg"]))
        flows_by_month[(row["flow"], row["month"])] += row["kg"]
    disposals = [
        Row(
            reason,
            *_labelled(labels.DISPOSAL_REASONS, reason),
            units=-flows[f"disposal_{reason}"].units,
            kg=-flows[f"disposal_{reason}"].kg,
        )
        for reason in labels.DISPOSAL_REASONS
    ]
    balances = {row["category"]: row for row in stock["balances"]}
    stock_summary = Stock(
        opening=Amount(
            sum(int(r["opening_units"]) for r in balances.values()), kg(sum(r["opening_kg"] for r in balances.values()))
        ),
        closing=Amount(
            sum(int(r["closing_units"]) for r in balances.values()), kg(sum(r["closing_kg"] for r in balances.values()))
        ),
        received=flows["receipt_donation"],
        opening_balances=flows["receipt_opening_balance"],
        distributed=Amount(-flows["distributed"].units, -flows["distributed"].kg),
        disposed=Amount(sum(r.units or 0 for r in disposals), kg(sum(r.kg or 0 for r in disposals))),
        adjusted=flows["adjustment"],
        transferred=flows["transfer"],
        by_category=[
            Row(
                code,
                ja,
                en,
                units=int(balances.get(code, {}).get("closing_units") or 0),
                kg=kg(balances.get(code, {}).get("closing_kg")),
            )
            for code, (ja, en) in categories.items()
        ],
    )

    # Month by month -------------------------------------------------------------------------------
    received_monthly = {row["month"]: row for row in received["monthly"]}
    monthly: dict[tuple[date, str], dict[str, Any]] = {
        (date.fromisoformat(row["month"]) if isinstance(row["month"], str) else row["month"], row["channel"]): row
        for row in handouts["monthly"]
    }
    referrals_monthly = {row["month"]: row["referrals"] for row in referrals["monthly"]}

    def channel_sum(month: date, channels: tuple[str, ...], measure: str) -> Any:
        return sum(monthly.get((month, channel), {}).get(measure, 0) for channel in channels)

    month_rows = [
        Month(
            month=month,
            received_kg=kg(received_monthly.get(month, {}).get("kg")),
            donations=received_monthly.get(month, {}).get("donations", 0),
            distributed_kg=kg(channel_sum(month, tuple(labels.CHANNELS), "kg")),
            individual_occasions=channel_sum(month, ("delivery", "pickup"), "occasions"),
            individual_households=channel_sum(month, ("delivery", "pickup"), "households"),
            individual_people=channel_sum(month, ("delivery", "pickup"), "people"),
            pantry_people=channel_sum(month, ("pantry",), "people"),
            partner_sessions=channel_sum(month, ("partner",), "handouts"),
            partner_people=channel_sum(month, ("partner",), "people"),
            referrals=referrals_monthly.get(month, 0),
            disposed_kg=kg(-sum(flows_by_month[(f"disposal_{r}", month)] for r in labels.DISPOSAL_REASONS)),
        )
        for month in months
    ]
    return AnnualSummary(
        fiscal_year=fiscal_year,
        start_month=start_month,
        label_ja=rules.japanese_year_label(fiscal_year),
        label_en=rules.english_year_label(fiscal_year),
        starts_on=first,
        ends_on=last,
        organisation=organisation,
        generated_on=generated_on,
        received_from_donors=received_total(False),
        received_from_food_banks=received_total(True),
        received_by_donor_kind=received_by_donor_kind,
        received_by_category=received_by_category,
        distributed=distributed,
        distributed_by_channel=distributed_by_channel,
        individual_support=individual_support,
        households_served=households_served,
        people_served_total=handouts["all_channels"]["people_served_total"],
        pantry=pantry,
        partners=partners,
        appliances=appliance_rows,
        referrals=referral_summary,
        disposals=disposals,
        stock=stock_summary,
        months=month_rows,
    )


# --- the same figures as tables --------------------------------------------------------------------

Cell = str | int | Decimal | None


@dataclass(frozen=True)
class Table:
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    total: list[Cell] | None = None
    note: str | None = None

    @property
    def numeric(self) -> list[bool]:
        """Which columns hold numbers (right-aligned, headings included)."""
        return [
            any(isinstance(row[i], (int, Decimal)) for row in self.rows if i < len(row)) or (i > 0 and not self.rows)
            for i in range(len(self.columns))
        ]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    tables: list[Table]


MONTH_COLUMNS = (
    "month",
    "received_kg",
    "donations",
    "distributed_kg",
    "occasions",
    "households",
    "pantry_people",
    "partner_sessions",
    "partner_people",
    "referrals",
    "disposed_kg",
)
"""The month-by-month table's columns, with short headings (labels.TEXT["m_..."]) so that it fits A4."""


def month_label(month: date, lang: str) -> str:
    return month.strftime("%Y-%m") if lang == "en" else f"{month.year}年{month.month}月"


def tables(summary: AnnualSummary, lang: str = "ja") -> list[Section]:
    """The summary laid out for people: the headline figures first, then one section per activity."""

    def t(key: str) -> str:
        return pick(labels.TEXT[key], lang)

    def name(row: Row) -> str:
        return row.label_en if lang == "en" else row.label_ja

    ind, pantry, partners, rec = summary.individual_support, summary.pantry, summary.partners, summary.referrals
    who = {row.key: row.count for row in rec.by_who_consulted}
    who_rows: list[list[Cell]] = [
        [f"{t('who_consulted')}: {pick(labels.WHO_CONSULTED[key], lang)}", who.get(key, 0)]
        for key in labels.WHO_CONSULTED
    ]
    headline_rows: list[list[Cell]] = [
        [f"{t('individual_support')}: {t('occasions')}", ind.occasions],
        [f"{t('individual_support')}: {t('households_total')}", ind.households_total],
        [f"{t('individual_support')}: {t('households_distinct')}", ind.households_distinct],
        [f"{t('pantry')}: {t('days_held')}", pantry.days_held],
        [f"{t('pantry')}: {t('people_served')}", pantry.people_served],
        [f"{t('partners')}: {t('sessions')}", partners.sessions],
        [f"{t('partners')}: {t('participants')}", partners.people],
        *who_rows,
        [f"{t('received')}: {t('from_donors')} kg", summary.received_from_donors.kg],
        [f"{t('received')}: {t('from_food_banks')} kg", summary.received_from_food_banks.kg],
        [t("food_loss"), summary.distributed.kg],
        [f"{t('households_served')}: {t('households_distinct')}", summary.households_served.households_distinct],
    ]
    headline = Table(t("headline"), [t("figure"), t("value")], headline_rows, note=t("counting_note"))
    received = [
        Table(
            t("donor_kind"),
            [t("donor_kind"), t("donations"), t("donors"), t("units"), t("kg")],
            [
                [name(r), r.count, r.distinct, r.units, r.kg]
                for r in summary.received_by_donor_kind
                if r.key != FOOD_BANKS
            ],
            total=[
                t("from_donors"),
                summary.received_from_donors.donations,
                summary.received_from_donors.donors,
                summary.received_from_donors.units,
                summary.received_from_donors.kg,
            ],
            note=(
                f"{t('from_food_banks')}: {t('donations')} {summary.received_from_food_banks.donations}, "
                f"{t('units')} {summary.received_from_food_banks.units}, {summary.received_from_food_banks.kg} kg"
            ),
        ),
        Table(
            f"{t('category')} ({t('from_donors')})",
            [t("category"), t("units"), t("kg")],
            [[name(r), r.units, r.kg] for r in summary.received_by_category],
            total=[t("total"), summary.received_from_donors.units, summary.received_from_donors.kg],
        ),
    ]
    distributed = Table(
        t("distributed"),
        [t("channel"), t("handouts"), t("households_total"), t("people_total"), t("units"), t("kg")],
        [[name(r), r.count, r.households, r.people, r.units, r.kg] for r in summary.distributed_by_channel],
        total=[
            t("total"),
            sum(r.count or 0 for r in summary.distributed_by_channel),
            sum(r.households or 0 for r in summary.distributed_by_channel),
            sum(r.people or 0 for r in summary.distributed_by_channel),
            summary.distributed.units,
            summary.distributed.kg,
        ],
    )
    individual = Table(
        t("individual_support"),
        [t("figure"), t("value")],
        [
            [t("occasions"), ind.occasions],
            [t("households_total"), ind.households_total],
            [t("households_distinct"), ind.households_distinct],
            [t("people_total"), ind.people_total],
            [t("people_distinct"), ind.people_distinct],
        ],
    )
    pantry_table = Table(
        t("pantry"),
        [
            t("date"),
            t("venue"),
            t("status"),
            t("households_total"),
            t("registered_people"),
            t("walk_in_people"),
            t("people_served"),
            t("kg"),
        ],
        [
            [
                day.event_date.isoformat(),
                day.venue,
                pick(labels.PANTRY_STATUSES.get(day.status, (day.status, day.status)), lang),
                day.households,
                day.registered_people,
                day.walk_in_people,
                day.people,
                day.kg,
            ]
            for day in pantry.days
        ],
        total=[
            f"{t('days_held')} {pantry.days_held}",
            None,
            None,
            pantry.households_total,
            sum(d.registered_people for d in pantry.days),
            pantry.walk_in_people,
            pantry.people_served,
            kg(sum(d.kg for d in pantry.days)),
        ],
        note=f"{t('households_distinct')}: {pantry.households_distinct}",
    )
    partner_table = Table(
        t("partners"),
        [t("programme"), t("kind"), t("sessions"), t("participants"), t("kg")],
        [[p.name, p.kind_en if lang == "en" else p.kind_ja, p.sessions, p.people, p.kg] for p in partners.programmes],
        total=[t("total"), None, partners.sessions, partners.people, kg(sum(p.kg for p in partners.programmes))],
    )
    appliance_table = Table(
        t("appliances"),
        [
            t("category"),
            t("appliance_received"),
            t("appliance_delivered"),
            t("appliance_disposed"),
            t("appliance_recycling"),
        ],
        [
            [a.name_en if lang == "en" else a.name_ja, a.received, a.delivered, a.disposed, a.disposed_recycling]
            for a in summary.appliances
        ],
        total=[
            t("total"),
            sum(a.received for a in summary.appliances),
            sum(a.delivered for a in summary.appliances),
            sum(a.disposed for a in summary.appliances),
            sum(a.disposed_recycling for a in summary.appliances),
        ],
    )
    referral_tables = [
        Table(
            t("agency"),
            [t("agency"), t("referral_count"), t("households_distinct")],
            [[r.key, r.count, r.households] for r in rec.by_agency],
            total=[t("total"), rec.referrals, rec.households],
        ),
        *[
            Table(
                t(key),
                [t(key), t("referral_count")],
                [[name(r), r.count] for r in rows],
                total=[t("total"), rec.referrals],
            )
            for key, rows in (
                ("who_consulted", rec.by_who_consulted),
                ("request", rec.by_request),
                ("outcome", rec.by_outcome),
            )
        ],
    ]
    disposal_table = Table(
        t("disposals"),
        [t("reason"), t("units"), t("kg")],
        [[name(r), r.units, r.kg] for r in summary.disposals],
        total=[t("total"), summary.stock.disposed.units, summary.stock.disposed.kg],
    )
    s = summary.stock
    stock_tables = [
        Table(
            t("stock"),
            [t("figure"), t("units"), t("kg")],
            [
                [t("opening"), s.opening.units, s.opening.kg],
                [t("flow_received"), s.received.units, s.received.kg],
                [t("flow_opening_balance"), s.opening_balances.units, s.opening_balances.kg],
                [t("flow_distributed"), s.distributed.units, s.distributed.kg],
                [t("flow_disposed"), s.disposed.units, s.disposed.kg],
                [t("flow_adjusted"), s.adjusted.units, s.adjusted.kg],
            ],
            total=[t("closing"), s.closing.units, s.closing.kg],
        ),
        Table(
            f"{t('closing')} ({t('category')})",
            [t("category"), t("units"), t("kg")],
            [[name(r), r.units, r.kg] for r in s.by_category],
            total=[t("total"), s.closing.units, s.closing.kg],
        ),
    ]
    month_columns = [t(f"m_{key}") for key in MONTH_COLUMNS]
    month_table = Table(
        t("monthly"),
        month_columns,
        [
            [
                month_label(m.month, lang),
                m.received_kg,
                m.donations,
                m.distributed_kg,
                m.individual_occasions,
                m.individual_households,
                m.pantry_people,
                m.partner_sessions,
                m.partner_people,
                m.referrals,
                m.disposed_kg,
            ]
            for m in summary.months
        ],
        total=[
            t("total"),
            kg(sum(m.received_kg for m in summary.months)),
            sum(m.donations for m in summary.months),
            kg(sum(m.distributed_kg for m in summary.months)),
            sum(m.individual_occasions for m in summary.months),
            sum(m.individual_households for m in summary.months),
            sum(m.pantry_people for m in summary.months),
            sum(m.partner_sessions for m in summary.months),
            sum(m.partner_people for m in summary.months),
            sum(m.referrals for m in summary.months),
            kg(sum(m.disposed_kg for m in summary.months)),
        ],
    )
    return [
        Section("headline", t("headline"), [headline]),
        Section("received", t("received"), received),
        Section("distributed", t("distributed"), [distributed, individual]),
        Section("pantry", t("pantry"), [pantry_table]),
        Section("partners", t("partners"), [partner_table]),
        Section("appliances", t("appliances"), [appliance_table]),
        Section("referrals", t("referrals"), referral_tables),
        Section("stock", f"{t('stock')} / {t('disposals')}", [disposal_table, *stock_tables]),
        Section("monthly", t("monthly"), [month_table]),
    ]
