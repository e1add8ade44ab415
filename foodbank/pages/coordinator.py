"""Coordinator pages: the annual report page. The pantry days have their own modules,
`pantry_planning.py` and `pantry_day.py`, and so do households and the appliance bank, `households.py`
and `appliances.py`.

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

from foodbank.config import Settings
from foodbank.lib.access import allow
from foodbank.lib.clock import today
from foodbank.lib.errors import AppError
from foodbank.pages.forms import FormSchema, load_query
from foodbank.pages.i18n import N_
from foodbank.pages.layout import Nav, Ui, page
from foodbank.pages.problems import add_problem
from foodbank.reports import rules, services
from foodbank.reports.controllers import READERS
from foodbank.reports.documents import Table, tables

DOWNLOADS = (("pdf", "PDF"), ("xlsx", "Excel"), ("csv", "CSV"), ("html", "HTML"))

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
async def annual_report(ui: Ui, report_session: AsyncSession, settings: Settings) -> Template:
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
                report_session,  # the read replica's, when there is one
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


HANDLERS = [annual_report]
