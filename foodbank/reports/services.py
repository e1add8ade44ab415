"""Use cases of the reports area: build the annual summary of a fiscal year, and render it in any of
its formats. Reads only: the figures come from one REPEATABLE READ snapshot of the database, so a
hand-out recorded while the report is made cannot be counted in one table and missed in another."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.lib.errors import InvalidInput
from foodbank.lib.messages import Message
from foodbank.lib.pdf import render_html, render_pdf, stylesheet
from foodbank.reports import charts, queries, rules
from foodbank.reports.documents import AnnualSummary, annual_summary, tables
from foodbank.reports.errors import YearNotStarted
from foodbank.reports.exports import title_of, to_csv, to_xlsx
from foodbank.reports.labels import TEXT, pick

TEMPLATE = "annual_summary.html"
EARLIEST_YEAR = 2000
REPORT_WORK_MEM = "64MB"
MEDIA_TYPES = {
    "html": "text/html",  # Litestar adds "; charset=utf-8" to text types
    "pdf": "application/pdf",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


async def build_annual_summary(
    session: AsyncSession, *, fiscal_year: int, start_month: int, organisation: str, today: date
) -> AnnualSummary:
    if fiscal_year < EARLIEST_YEAR:
        raise InvalidInput(
            Message(
                "Fiscal years are named by the year they start in (2025 = 令和7年度); %(year)s is too early.",
                year=fiscal_year,
            ),
            errors=[{"field": "fiscal_year", "message": Message("must be %(year)s or later", year=EARLIEST_YEAR)}],
        )
    if fiscal_year > rules.fiscal_year_of(today, start_month):
        # Written out, not a date: any whole number reaches here, and no date holds the year 1226226.
        starts = f"{fiscal_year:04d}-{start_month:02d}-01"
        raise YearNotStarted(
            Message(
                "%(year)s (%(japanese)s) starts on %(starts)s: it has no figures yet.",
                year=rules.english_year_label(fiscal_year),
                japanese=rules.japanese_year_label(fiscal_year),
                starts=starts,
            ),
            errors=[{"field": "fiscal_year", "message": Message("this fiscal year has not started")}],
        )
    if not session.in_transaction():
        await session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
    # The year's aggregates group a million-row ledger: with the default 4 MB they sort on disk
    # (bench/report_bench.py --explain). For this transaction only.
    await session.execute(text(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'"))
    first, last = rules.fiscal_year_bounds(fiscal_year, start_month)
    return annual_summary(
        fiscal_year=fiscal_year,
        start_month=start_month,
        organisation=organisation,
        generated_on=today,
        handouts=await queries.handouts(session, first, last),
        received=await queries.received(session, first, last),
        stock=await queries.stock_flows(session, first, last),
        pantry_days=await queries.pantry_days(session, first, last),
        programmes=await queries.partner_programmes(session),
        appliances=await queries.appliances(session, first, last),
        referrals=await queries.referrals(session, first, last),
        categories=await queries.category_names(session),
    )


def chart_images(summary: AnnualSummary, lang: str) -> list[str]:
    months = [m.month.strftime("%b") if lang == "en" else f"{m.month.month}月" for m in summary.months]
    return [
        charts.bar_chart(
            pick(TEXT["chart_kg"], lang),
            months,
            [
                charts.Series(pick(TEXT["legend_received"], lang), [m.received_kg for m in summary.months]),
                charts.Series(pick(TEXT["legend_distributed"], lang), [m.distributed_kg for m in summary.months]),
            ],
        ),
        charts.bar_chart(
            pick(TEXT["chart_people"], lang),
            months,
            [
                charts.Series(pick(TEXT["legend_individual"], lang), [m.individual_people for m in summary.months]),
                charts.Series(pick(TEXT["legend_pantry"], lang), [m.pantry_people for m in summary.months]),
                charts.Series(pick(TEXT["legend_partner"], lang), [m.partner_people for m in summary.months]),
            ],
            stacked=True,
        ),
    ]


def _context(summary: AnnualSummary, lang: str) -> dict[str, Any]:
    return {
        "lang": lang,
        "title": title_of(summary, lang),
        "sections": tables(summary, lang),
        "charts": chart_images(summary, lang),
        "text": {key: pick(label, lang) for key, label in TEXT.items()},
    }


def summary_html(summary: AnnualSummary, lang: str, *, downloads: dict[str, str] | None = None) -> str:
    """A page for the browser: the same template as the PDF, with the stylesheet inline and download links."""
    return render_html(
        TEMPLATE,
        summary,
        organisation=summary.organisation,
        printed_on=summary.generated_on,
        screen_css=stylesheet(),
        downloads=downloads or {},
        **_context(summary, lang),
    )


async def summary_pdf(summary: AnnualSummary, lang: str) -> bytes:
    return await render_pdf(
        TEMPLATE,
        summary,
        organisation=summary.organisation,
        printed_on=summary.generated_on,
        screen_css=None,
        downloads={},
        **_context(summary, lang),
    )


async def render(summary: AnnualSummary, fmt: str, lang: str, *, downloads: dict[str, str] | None = None) -> bytes:
    """The summary in one of html, pdf, csv, xlsx."""
    if fmt == "pdf":
        return await summary_pdf(summary, lang)
    if fmt == "csv":
        return to_csv(summary, lang)
    if fmt == "xlsx":
        return to_xlsx(summary, lang)
    if fmt == "html":
        return summary_html(summary, lang, downloads=downloads).encode()
    raise ValueError(fmt)


def filename(summary: AnnualSummary, fmt: str, lang: str) -> str:
    return f"annual-summary-{summary.label_en}-{lang}.{fmt}"
