"""The appliance hand-over sheet (家電お渡し確認書): the unit, its checks, the household (by code only:
the sheet travels with the delivery van), the delivery, and signature lines. For the four categories of
the home appliance recycling law it says how the unit must be disposed of later."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.appliances import queries, rules
from foodbank.appliances.errors import ApplianceNotFound, ApplianceStatusConflict
from foodbank.lib.messages import Label, Message
from foodbank.models import (
    ApplianceCategoryRow,
    ApplianceInspection,
    CheckResult,
    ConditionGrade,
    InspectionCheck,
    PseMark,
)

CHECK_LABELS = {
    InspectionCheck.visual: "外観 Visual",
    InspectionCheck.power_on: "通電 Power-on",
    InspectionCheck.insulation: "絶縁抵抗 Insulation",
    InspectionCheck.cleaning: "清掃 Cleaning",
    InspectionCheck.recall_check: "リコール照合 Recall check",
}
RESULT_LABELS = {
    CheckResult.passed: "合格 Pass",
    CheckResult.failed: "不合格 Fail",
    CheckResult.not_applicable: "対象外 N/A",
}
PSE_LABELS = {
    PseMark.pse: "PSEマークあり",
    PseMark.old_law: "旧法マークあり（電気用品取締法）",
    PseMark.none: "なし",
}
GRADE_LABELS = {
    ConditionGrade.a: "A（美品）",
    ConditionGrade.b: "B（使用感あり）",
    ConditionGrade.c: "C（使用に問題なし・傷あり）",
}


@dataclass(frozen=True)
class CheckLine:
    check: str
    result: str
    inspected_on: date
    note: str | None


@dataclass(frozen=True)
class ApplianceHandOverSheet:
    unit_code: str
    category: str
    maker: str
    model: str
    serial_number: str | None
    manufacture_year: int
    size: str | None
    pse_mark: str
    condition: str
    checks: tuple[CheckLine, ...]
    household_code: str
    planned_delivery_date: date
    delivered_on: date | None
    installation_needed: bool
    installed: bool | None
    """None until the delivery is recorded."""
    receipt_number: str | None
    recycling_law: bool


def latest_checks(inspections: Iterable[ApplianceInspection]) -> tuple[CheckLine, ...]:
    """The latest check of each kind (a later one supersedes an earlier one), in the workflow's order."""
    latest: dict[InspectionCheck, ApplianceInspection] = {}
    for inspection in sorted(inspections, key=lambda row: row.id):
        latest[inspection.kind] = inspection
    return tuple(
        CheckLine(CHECK_LABELS[kind], RESULT_LABELS[row.result], row.inspected_on, row.note)
        for kind in InspectionCheck
        if (row := latest.get(kind)) is not None
    )


def hand_over_sheet(
    unit: Mapping[str, Any], category: str, inspections: Iterable[ApplianceInspection]
) -> ApplianceHandOverSheet:
    """From the unit as `queries.unit` reads it, with a current reservation (open or delivered)."""
    reservation, delivery = unit["reservation"], unit["delivery"]
    return ApplianceHandOverSheet(
        unit_code=unit["code"],
        category=category,
        maker=unit["maker"],
        model=unit["model"],
        serial_number=unit["serial_number"],
        manufacture_year=unit["manufacture_year"],
        size=unit["size"],
        pse_mark=PSE_LABELS[unit["pse_mark"]],
        condition=GRADE_LABELS[unit["condition_grade"]],
        checks=latest_checks(inspections),
        household_code=reservation["household_code"],
        planned_delivery_date=reservation["planned_delivery_date"],
        delivered_on=delivery["delivered_on"] if delivery else None,
        installation_needed=reservation["installation_needed"],
        installed=delivery["installed"] if delivery else None,
        receipt_number=delivery["receipt_number"] if delivery else None,
        recycling_law=unit["recycling_law"],
    )


async def load_hand_over_sheet(session: AsyncSession, unit_id: int) -> ApplianceHandOverSheet:
    """The sheet of a reserved or delivered unit; 409 for a unit nobody is to receive."""
    unit = await queries.unit(session, unit_id)
    if unit is None:
        raise ApplianceNotFound(Message("There is no appliance with id %(id)s.", id=unit_id))
    if unit["reservation"] is None:
        raise ApplianceStatusConflict(
            Message(
                "Appliance %(code)s is %(status)s: a hand-over sheet is for a unit reserved for a household. "
                "Reserve it first.",
                code=unit["code"],
                status=Label("appliance", unit["status"]),
            ),
            current_status=unit["status"].value,
            action="hand_over_sheet",
            allowed_actions=[action.value for action in rules.allowed_actions(unit["status"])],
        )
    category = await session.get(ApplianceCategoryRow, unit["category"])
    history = await queries.history(session, unit_id)
    assert category is not None  # a foreign key
    assert history is not None  # the unit exists
    return hand_over_sheet(unit, category.name_ja, history["inspections"])
