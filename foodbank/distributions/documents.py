"""The hand-over receipt (受領書) of a distribution: what was handed over, signed by the recipient.
Households appear by code only: the paper may lie on a warehouse table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from foodbank.stock.documents import UNIT_LABELS

CHANNEL_LABELS = {
    "delivery": "個別支援（配達）",
    "pickup": "個別支援（受け取り）",
    "pantry": "フードパントリー",
    "partner": "パートナー団体",
}


@dataclass(frozen=True)
class ReceiptLine:
    item: str
    expiry: str | None
    quantity: int
    unit: str
    """As the picking list prints it (パック, 缶, 本 ...)."""


@dataclass(frozen=True)
class HandOverReceipt:
    distribution_id: int
    recipient: str
    channel: str
    distributed_on: date
    people: int | None
    lines: tuple[ReceiptLine, ...]

    @property
    def units(self) -> int:
        return sum(line.quantity for line in self.lines)


def hand_over_receipt(distribution: dict[str, Any]) -> HandOverReceipt:
    """From the distribution as `queries.distribution` reads it; returned units are left out."""
    channel = distribution["channel"]
    recipient = distribution["household_code"] or distribution["partner_programme"] or "来場者 (walk-in)"
    return HandOverReceipt(
        distribution_id=distribution["id"],
        recipient=recipient,
        channel=CHANNEL_LABELS.get(getattr(channel, "value", channel), str(channel)),
        distributed_on=distribution["distributed_on"],
        people=distribution["people"],
        lines=tuple(
            ReceiptLine(
                line["item_name"], line["expiry"], line["quantity"] - line["returned"], UNIT_LABELS[line["unit"]]
            )
            for line in distribution["lines"]
            if line["quantity"] > line["returned"]
        ),
    )
