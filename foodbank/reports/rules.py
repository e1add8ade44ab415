"""Fiscal years and the counting rules of the annual summary. Pure: no database, no clock.

The counting rules (also in the README, "Annual summary: how things are counted"):

- **Dates.** Donations count on their receipt's received date; hand-outs on their distribution date;
  referrals on the day they were made; disposals and adjustments on the day they were recorded (Asia/Tokyo).
  A return counts against the hand-out it came back from, on that hand-out's date: the year's
  distributed figures are net of returns, and a hand-out whose every unit came back is not counted at all.
- **延べ (total occurrences)** counts every occurrence: a household served three times counts three
  times. **実 (distinct)** counts each household, donor or person once in the year.
- **Received (受入).** Donations only (receipts of kind `donation`); opening balances are stock that was
  there before the service, not received in the year. Lots split off by a transfer are not received
  again. Donations from other food banks are shown apart and left out of the "from donors" totals.
  Donors 実 = distinct donors; donations 延べ = receipts.
- **Individual support (個別支援・物資支援)** = hand-outs by delivery or pick-up. Households 延べ = those
  hand-outs; households 実 = distinct households; people 延べ = the sum of the people each hand-out
  served; people 実 = for each distinct household, the most people it was served for in the year.
  An **occasion (回)** is one delivery round or pick-up session: the hand-outs of one day, one channel and
  one member of staff, however many households it served ("64 occasions, 68 households").
- **Pantry days (フードパントリー)** held = closed pantry days of the year (cancelled ones are not held).
  People served = the people of every hand-out at those days: checked-in households (their registered
  people) and walk-ins (the people the walk-in parcels served). No-shows are not served.
- **Cafeteria and partner programmes**: one hand-over to a programme = one session; its people = the
  meals or participants of that session.
- **Households served (all channels)**: 実 = distinct households with a hand-out in the year (walk-ins
  are anonymous and counted only as people); 延べ = hand-outs to households.
- **People served (all channels, 延べ)** = the people of every counted hand-out, any channel: of each
  hand-out to a household, of walk-ins, and the meals or participants of partner programmes. It is not
  a figure of households, so it stands apart from them (`people_served_total`).
- **kg** is always units × the item's unit weight. Received kg comes from the receipt movements of
  donated lots; distributed kg from issue movements net of returns; disposed kg from disposal movements
  (by reason); stock kg from the sum of all movements up to the day (opening = the day before the year,
  closing = its last day), each dated as above, so that opening + received + opening balances −
  distributed − disposed ± adjustments = closing, to the unit.
- **Where the figures come from**: hand-outs from the units and kg stored on each one (its lines net of
  returns, kept by `distributions.services`), stock figures from the ledger's per-day sums (`stock_day`,
  kept by a trigger on the ledger, dated as above); `foodbank stock verify` checks both.
- **Appliances**: received = units registered with a received date in the year; delivered = deliveries
  in the year; disposed = disposals in the year (recycling-law route counted apart).
- **Referrals**: made in the year, by agency, by who consulted (本人, 家族, 関係機関, その他), by what was
  asked, and by their outcome as it stands when the report is made.
"""

from __future__ import annotations

from datetime import date


def fiscal_year_of(day: date, start_month: int = 4) -> int:
    """The fiscal year a day belongs to, named by the calendar year it starts in (FY2022: April 2022 to
    March 2023 with the default start month)."""
    return day.year if day.month >= start_month else day.year - 1


def fiscal_year_bounds(fiscal_year: int, start_month: int = 4) -> tuple[date, date]:
    """First and last day of a fiscal year."""
    first = date(fiscal_year, start_month, 1)
    following = date(fiscal_year + 1, start_month, 1)
    return first, date.fromordinal(following.toordinal() - 1)


def fiscal_months(fiscal_year: int, start_month: int = 4) -> list[date]:
    """The first day of each of the year's twelve months, in order."""
    return [date(fiscal_year + (start_month - 1 + i) // 12, (start_month - 1 + i) % 12 + 1, 1) for i in range(12)]


def japanese_year_label(fiscal_year: int) -> str:
    """令和N年度 (FY2019 is 令和元年度), 平成N年度 before it; plain 年度 before Heisei."""
    for era, first in (("令和", 2019), ("平成", 1989)):
        if fiscal_year >= first:
            n = fiscal_year - first + 1
            return f"{era}{'元' if n == 1 else n}年度"
    return f"{fiscal_year}年度"


def english_year_label(fiscal_year: int) -> str:
    return f"FY{fiscal_year}"
