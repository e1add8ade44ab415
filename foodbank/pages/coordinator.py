"""Coordinator pages: the appliance board by status and the annual report page, plus (in HANDLERS) the
pantry-day pages of `pantry_pages.py`. Households have their own module, `households.py`.

- The appliance board reads `foodbank.appliances.queries` (counts, units by status) as the API does:
  a column per status with its count, a card per unit, oldest received first.
- The annual report page builds the same summary as `GET /api/reports/annual/{year}`
  (`reports.services.build_annual_summary`) and shows its tables (`reports.documents.tables`) in the
  site's layout, with links to the API's downloads (PDF, Excel, CSV, HTML) in both languages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from litestar import get
from litestar.response import Template
from marshmallow import fields, validate
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.appliances import queries as appliance_queries
from foodbank.appliances.controllers import STAFF as APPLIANCE_STAFF
from foodbank.config import Settings
from foodbank.lib.access import allow
from foodbank.lib.clock import today
from foodbank.lib.errors import AppError
from foodbank.models import ApplianceCategory
from foodbank.pages import pantry_pages
from foodbank.pages.forms import FormSchema, load_query
from foodbank.pages.i18n import N_, local_name
from foodbank.pages.layout import Nav, Ui, page
from foodbank.pages.problems import add_problem
from foodbank.reports import rules, services
from foodbank.reports.controllers import READERS
from foodbank.reports.documents import Table, tables

BOARD_COLUMN_LIMIT = 60
"""Cards per status column (the count above it is always the whole number)."""
DOWNLOADS = (("pdf", "PDF"), ("xlsx", "Excel"), ("csv", "CSV"), ("html", "HTML"))

# --- the appliance board ---------------------------------------------------------------------------------


class BoardFilterForm(FormSchema):
    category = fields.Enum(
        ApplianceCategory, by_value=True, error_messages={"unknown": N_("Must be one of the choices.")}
    )


@get(
    "/coordinator/appliances",
    opt=page(**allow(*APPLIANCE_STAFF), nav=Nav("coordinator", N_("Appliance board"), 30)),
    include_in_schema=False,
)
async def appliance_board(ui: Ui, db_session: AsyncSession, settings: Settings) -> Template:
    form = load_query(ui, BoardFilterForm)
    category = form.data.get("category") if form.ok else None
    categories = await appliance_queries.categories(db_session, settings.appliances)
    names = {str(c["code"]): local_name(c, ui.lang) for c in categories}
    counts = await appliance_queries.counts(db_session)
    if category is not None:
        row = next((r for r in counts["by_category"] if r["category"] == category), None)
        by_status: dict[str, int] = dict(row["by_status"]) if row else {}
    else:
        by_status = dict(counts["by_status"])
    oldest = await appliance_queries.oldest_by_status(
        db_session, category=[category] if category is not None else None, limit=BOARD_COLUMN_LIMIT
    )
    columns = [
        {"status": status, "count": by_status.get(status.value, 0), "units": units} for status, units in oldest.items()
    ]
    return ui.render(
        "coordinator/appliances.html",
        form=form,
        columns=columns,
        total=sum(by_status.values()),
        category_names=names,
        category_options=list(names.items()),
        column_limit=BOARD_COLUMN_LIMIT,
        status_code=form.status,
    )


# --- the annual report ------------------------------------------------------------------------------------


class YearForm(FormSchema):
    year = fields.Integer(
        validate=validate.Range(min=services.EARLIEST_YEAR, max=2100, error=N_("Choose a fiscal year from the list.")),
        error_messages={"invalid": N_("Choose a fiscal year from the list.")},
    )


def year_label(fiscal_year: int, lang: str) -> str:
    """令和7年度（FY2025） in Japanese, FY2025 (令和7年度) in English."""
    japanese, english = rules.japanese_year_label(fiscal_year), rules.english_year_label(fiscal_year)
    return f"{english} ({japanese})" if lang == "en" else f"{japanese}（{english}）"


def downloads(fiscal_year: int) -> list[dict[str, Any]]:
    """The API's files of a year, per language."""
    base = f"/api/reports/annual/{fiscal_year}/summary"
    return [
        {"lang": lang, "name": name, "links": [(label, f"{base}.{fmt}?lang={lang}") for fmt, label in DOWNLOADS]}
        for lang, name in (("ja", "日本語"), ("en", "English"))
    ]


@dataclass(frozen=True)
class YearSoFar:
    """The current fiscal year's headline figures so far, as the annual summary counts them."""

    fiscal_year: int
    name: str
    starts_on: date
    as_of: date
    headline: Table
    last_year: int
    last_year_name: str


async def year_so_far(session: AsyncSession, settings: Settings, lang: str) -> YearSoFar:
    """The same summary as the annual report page and `GET /api/reports/annual/{year}`, of this year."""
    on = today()
    fiscal_year = rules.fiscal_year_of(on, settings.reports.fiscal_year_start_month)
    summary = await services.build_annual_summary(
        session,
        fiscal_year=fiscal_year,
        start_month=settings.reports.fiscal_year_start_month,
        organisation=settings.http.organisation_name,
        today=on,
    )
    return YearSoFar(
        fiscal_year=fiscal_year,
        name=year_label(fiscal_year, lang),
        starts_on=summary.starts_on,
        as_of=on,
        headline=tables(summary, lang)[0].tables[0],
        last_year=fiscal_year - 1,
        last_year_name=year_label(fiscal_year - 1, lang),
    )


@get(
    "/reports/annual",
    opt=page(**allow(*READERS), nav=Nav("reports", N_("Annual report"), 10)),
    include_in_schema=False,
)
async def annual_report(ui: Ui, db_session: AsyncSession, settings: Settings) -> Template:
    start_month = settings.reports.fiscal_year_start_month
    current = rules.fiscal_year_of(today(), start_month)
    form = load_query(ui, YearForm)
    form.values.setdefault("year", str(current - 1))
    fiscal_year = int(form.data.get("year") or current - 1) if form.ok else current - 1
    summary = None
    status = form.status
    if form.ok:
        try:
            summary = await services.build_annual_summary(
                db_session,
                fiscal_year=fiscal_year,
                start_month=start_month,
                organisation=settings.http.organisation_name,
                today=today(),
            )
        except AppError as error:
            add_problem(form, error, field_names={"fiscal_year": "year"})
            status = error.status
    first = min(current - 1, fiscal_year) if form.ok else current - 1
    years = [
        (year, year_label(year, ui.lang)) for year in range(current, max(services.EARLIEST_YEAR, first - 10) - 1, -1)
    ]
    sections = tables(summary, ui.lang) if summary is not None else []
    return ui.render(
        "coordinator/annual_report.html",
        form=form,
        fiscal_year=fiscal_year,
        year_name=year_label(fiscal_year, ui.lang),
        complete=fiscal_year < current,
        years=years,
        summary=summary,
        headline=sections[0].tables[0] if sections else None,
        sections=sections[1:],
        downloads=downloads(fiscal_year) if summary is not None else [],
        charts=services.chart_images(summary, ui.lang) if summary is not None else [],
        status_code=status,
    )


HANDLERS = [*pantry_pages.HANDLERS, appliance_board, annual_report]
