"""Documents, then templates, then PDFs: a service builds a typed document object, a Jinja2 template in
templates/documents/ formats it, and WeasyPrint renders it in a worker thread with a time limit, so a
large list never blocks the event loop. The stylesheet names an installed Japanese font (IPAex, from
the Debian package fonts-ipaexfont that the bootstrap installs), which WeasyPrint embeds."""

from __future__ import annotations

import asyncio
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import anyio.to_thread
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar import Response
from markupsafe import Markup

from foodbank.lib.clock import today
from foodbank.lib.errors import AppError
from foodbank.lib.messages import Message

DOCUMENTS = Path(__file__).resolve().parents[2] / "templates" / "documents"


class RenderTimeout(AppError):
    status = 503
    slug = "document-timeout"
    title = "The document took too long to render"


def css_string(value: object) -> Markup:
    """A quoted CSS string for page margins (@top-left content): quotes, backslashes and line ends escaped."""
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3c ")
    return Markup(f'"{text}"')  # noqa: S704 - escaped above for a CSS string in <style>


@lru_cache(maxsize=1)
def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(DOCUMENTS),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,  # a missing field is a bug, not a blank on paper
    )
    environment.filters["css_string"] = css_string
    return environment


def render_html(template: str, document: Any, *, organisation: str, printed_on: date, **context: Any) -> str:
    """The document as HTML; `context` adds what a template needs beyond the document (charts, language)."""
    return (
        _environment()
        .get_template(template)
        .render(doc=document, organisation=organisation, printed_on=printed_on, **context)
    )


@lru_cache(maxsize=1)
def stylesheet() -> str:
    """The documents' stylesheet, for HTML served to a browser (which cannot fetch it from the template folder)."""
    return (DOCUMENTS / "base.css").read_text(encoding="utf-8")


def _write_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported here: it loads Pango, which only document routes need

    pdf: bytes = HTML(string=html, base_url=str(DOCUMENTS)).write_pdf()
    return pdf


async def render_pdf(
    template: str,
    document: Any,
    *,
    organisation: str,
    printed_on: date,
    timeout_seconds: float = 60,
    **context: Any,
) -> bytes:
    html = render_html(template, document, organisation=organisation, printed_on=printed_on, **context)
    try:
        async with asyncio.timeout(timeout_seconds):
            return await anyio.to_thread.run_sync(_write_pdf, html, abandon_on_cancel=True)
    except TimeoutError:
        raise RenderTimeout(
            Message(
                "Rendering %(template)s took longer than %(seconds)s s.",
                template=template,
                seconds=f"{timeout_seconds:.0f}",
            )
        ) from None


async def pdf_document(template: str, document: Any, filename: str, *, organisation: str) -> Response[bytes]:
    """What a document route returns: the document rendered with the organisation's name and today's
    date on every page, shown in the browser with a file name for saving it."""
    pdf = await render_pdf(template, document, organisation=organisation, printed_on=today())
    return pdf_response(pdf, filename)


def pdf_response(pdf: bytes, filename: str) -> Response[bytes]:
    """A PDF shown in the browser (printable from there), with a name for saving it."""
    return Response(
        pdf, media_type="application/pdf", headers={"Content-Disposition": f'inline; filename="{filename}"'}
    )
