"""The reporter's pages: the home page shows this fiscal year's headline figures so far, the same numbers as
the annual summary (`GET /api/reports/annual/{year}`), with the way to this year's and last year's report;
the annual report page draws the summary's charts as inline SVG."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape

from httpx import AsyncClient
from litestar import Litestar

from foodbank.lib.clock import today
from foodbank.models import Role
from foodbank.reports import rules
from foodbank.reports.labels import TEXT, pick
from tests.conftest import Actors, client_for
from tests.integration.pages.conftest import Browser
from tests.integration.stock.conftest import Warehouse

START_MONTH = 4  # the default FOODBANK_FISCAL_YEAR_START_MONTH


def key_figures(html: str) -> dict[str, str]:
    """The home page's key figures, figure -> value as shown."""
    found = re.findall(r"<div><dt>([^<]+)</dt><dd>([^<]*)</dd></div>", html)
    return {unescape(name): value for name, value in found}


async def signed_in(app: Litestar, actors: Actors, role: Role, lang: str = "ja") -> Browser:
    client = client_for(app)
    client.cookies.set("fb_lang", lang)
    person = Browser(client)
    await person.sign_in(await actors.make(role))
    return person


async def donated_this_year(client: AsyncClient, wh: Warehouse, units: int) -> int:
    """A donation received today; the current fiscal year."""
    await wh.lot(client, wh.canned, units, (today().replace(day=1).replace(year=today().year + 1)).isoformat())
    return rules.fiscal_year_of(today(), START_MONTH)


async def test_the_reporters_home_shows_this_years_figures_as_the_annual_summary_counts_them(
    app: Litestar, client: AsyncClient, actors: Actors, wh: Warehouse
) -> None:
    current = await donated_this_year(client, wh, 7)
    reporter = await signed_in(app, actors, Role.reporter)
    summary = (
        await reporter.client.get(f"/api/reports/annual/{current}", headers={"Accept": "application/json"})
    ).json()

    home = await reporter.get("/")
    assert home.status_code == 200
    assert f"{rules.japanese_year_label(current)}（{rules.english_year_label(current)}）" in home.text
    figures = key_figures(home.text)
    received = f"{pick(TEXT['received'], 'ja')}: {pick(TEXT['from_donors'], 'ja')} kg"
    assert Decimal(figures[received]) == Decimal(summary["received_from_donors"]["kg"]) > 0
    individual = f"{pick(TEXT['individual_support'], 'ja')}: {pick(TEXT['occasions'], 'ja')}"
    assert figures[individual] == str(summary["individual_support"]["occasions"])
    assert f'href="/reports/annual?year={current}"' in home.text
    assert f'href="/reports/annual?year={current - 1}"' in home.text
    assert rules.japanese_year_label(current - 1) in home.text

    # The figures are the reporter's: a warehouse volunteer's home does not compute them.
    volunteer = await signed_in(app, actors, Role.warehouse)
    assert 'id="year-so-far"' not in (await volunteer.get("/")).text

    english = await signed_in(app, actors, Role.reporter, lang="en")
    english_home = await english.get("/")
    assert f"This year so far: {rules.english_year_label(current)}" in english_home.text
    assert f"{pick(TEXT['received'], 'en')}: {pick(TEXT['from_donors'], 'en')} kg" in key_figures(english_home.text)


async def test_the_annual_report_page_draws_the_summarys_charts(
    app: Litestar, client: AsyncClient, actors: Actors, wh: Warehouse
) -> None:
    current = await donated_this_year(client, wh, 5)
    reporter = await signed_in(app, actors, Role.reporter)
    page = await reporter.get("/reports/annual", params={"year": str(current)})
    assert page.status_code == 200
    charts = re.findall(r'<figure class="chart">.*?</figure>', page.text, re.S)
    assert len(charts) == 2
    kg_chart, people_chart = charts
    assert "<svg" in kg_chart and f"<title>{pick(TEXT['chart_kg'], 'ja')}</title>" in kg_chart
    assert f"<title>{pick(TEXT['chart_people'], 'ja')}</title>" in people_chart
    # Twelve months on the axis, and this month's bar of received kg holds the donation.
    month = f"{today().month}月"
    assert all(f">{(START_MONTH + i - 1) % 12 + 1}月</text>" in kg_chart for i in range(12))
    assert re.search(rf"<title>{month} {pick(TEXT['legend_received'], 'ja')}: [1-9]", kg_chart)
    assert "style=" not in kg_chart and "<script" not in kg_chart  # nothing the security policy refuses
    english = await signed_in(app, actors, Role.reporter, lang="en")
    english_page = await english.get("/reports/annual", params={"year": str(current)})
    assert f"<title>{pick(TEXT['chart_kg'], 'en')}</title>" in english_page.text
