"""Reports API: the annual summary of a fiscal year as JSON, an HTML page, a PDF, CSV and an Excel
workbook. Reporters, coordinators and admins read it; it holds counts, never a household's identity.
Read from the read replica when there is one (`report_session`, foodbank.lib.db)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get
from litestar.di import Provide
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.config import Settings
from foodbank.lib.access import allow
from foodbank.lib.clock import today
from foodbank.lib.errors import NotFound
from foodbank.lib.headers import DOCUMENT_POLICY
from foodbank.lib.messages import Message
from foodbank.lib.validation import Dump, query
from foodbank.models import Role
from foodbank.reports import services
from foodbank.reports.documents import AnnualSummary
from foodbank.reports.schemas import AnnualSummaryOut, AnnualSummaryQuery

READERS = (Role.admin, Role.coordinator, Role.reporter)
DOWNLOAD_LABELS = {"pdf": "PDF", "xlsx": "Excel", "csv": "CSV", "json": "JSON"}


async def _summary(db_session: AsyncSession, settings: Settings, fiscal_year: int) -> AnnualSummary:
    return await services.build_annual_summary(
        db_session,
        fiscal_year=fiscal_year,
        start_month=settings.reports.fiscal_year_start_month,
        organisation=settings.http.organisation_name,
        today=today(),
    )


async def _file(db_session: AsyncSession, settings: Settings, fiscal_year: int, fmt: str, lang: str) -> Response[bytes]:
    summary = await _summary(db_session, settings, fiscal_year)
    base = f"/api/reports/annual/{fiscal_year}"
    downloads = {
        label: (f"{base}/summary.{fmt_}?lang={lang}" if fmt_ != "json" else base)
        for fmt_, label in DOWNLOAD_LABELS.items()
    }
    downloads["English" if lang == "ja" else "日本語"] = f"{base}/summary.html?lang={'en' if lang == 'ja' else 'ja'}"
    body = await services.render(summary, fmt, lang, downloads=downloads)
    disposition = "inline" if fmt in ("html", "pdf") else "attachment"
    return Response(
        body,
        media_type=services.MEDIA_TYPES[fmt],
        headers={
            "Content-Disposition": f'{disposition}; filename="{services.filename(summary, fmt, lang)}"',
            **({"Content-Security-Policy": DOCUMENT_POLICY} if fmt == "html" else {}),
        },
    )


LANG = {"options": Provide(query(AnnualSummaryQuery))}


class ReportController(Controller):
    path = "/api/reports"
    tags = ["reports"]

    @get(
        "/annual/{fiscal_year:int}",
        opt=allow(*READERS),
        return_dto=Dump[AnnualSummaryOut],
        summary="The annual summary of a fiscal year (named by the calendar year it starts in: 2025 = 令和7年度)",
    )
    async def annual(self, report_session: AsyncSession, settings: Settings, fiscal_year: int) -> AnnualSummary:
        return await _summary(report_session, settings, fiscal_year)

    @get(
        "/annual/{fiscal_year:int}/{document:str}",
        opt=allow(*READERS),
        dependencies=LANG,
        media_type="application/octet-stream",
        summary="The annual summary as a file: summary.html, summary.pdf, summary.csv (UTF-8 with BOM) or summary.xlsx",
        description=(
            "summary.html: a web page with charts and download links; summary.pdf: A4, Japanese or English; "
            "summary.csv: every table one below the other; summary.xlsx: one sheet per section."
        ),
    )
    async def annual_file(
        self,
        report_session: AsyncSession,
        settings: Settings,
        fiscal_year: int,
        document: str,
        options: dict[str, Any],
    ) -> Response[bytes]:
        name, _, fmt = document.partition(".")
        if name != "summary" or fmt not in services.MEDIA_TYPES:
            raise NotFound(
                Message(
                    "There is no %(document)s for a year: ask for summary.html, summary.pdf, summary.csv or "
                    "summary.xlsx.",
                    document=repr(document),
                )
            )
        return await _file(report_session, settings, fiscal_year, fmt, options["lang"])
