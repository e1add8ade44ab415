"""Demo data, built through the services so that it obeys every rule real data obeys.

Loaded once by `foodbank run` (and `foodbank demo load`): it does nothing when the demo admin exists.
The demo passwords are public; never load demo data into a real installation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.accounts import queries as account_queries
from foodbank.accounts import services as accounts
from foodbank.catalogue import services as catalogue
from foodbank.config import SecuritySettings, StockSettings
from foodbank.models import AgencyKind, DonorKind, ReceiptKind, Role, Unit, Zone
from foodbank.picking.fefo import DateKind
from foodbank.stock import services as stock
from foodbank.stock.dates import LabelDate, parse_label_date


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: Role
    password: str


DEMO_USERS = (
    DemoUser("admin", "管理者 (demo)", Role.admin, "demo-admin-2026"),
    DemoUser("coordinator", "コーディネーター 山田 (demo)", Role.coordinator, "demo-coordinator-2026"),
    DemoUser("warehouse", "倉庫ボランティア 佐藤 (demo)", Role.warehouse, "demo-warehouse-2026"),
    DemoUser("consultant", "相談支援専門員 鈴木 (demo)", Role.consultant, "demo-consultant-2026"),
    DemoUser("reporter", "報告担当 高橋 (demo)", Role.reporter, "demo-reporter-2026"),
)

DEMO_AGENCIES = (
    ("山武郡市基幹相談支援センター", AgencyKind.core_consultation),
    ("山武市社会福祉協議会", AgencyKind.social_welfare_council),
    ("中核地域生活支援センター さんぶ", AgencyKind.regional_support_centre),
    ("東金市役所 社会福祉課", AgencyKind.municipal_office),
)


# (code, 日本語, English, min days at receipt / individual / pantry / partner)
DEMO_CATEGORIES = (
    ("staples", "主食", "Staples", 30, 14, 7, 3),
    ("canned", "缶詰・レトルト", "Canned and retort", 60, 30, 14, 7),
    ("dairy", "乳製品・チルド", "Dairy and chilled", 2, 1, 1, 0),
    ("frozen", "冷凍食品", "Frozen food", 30, 14, 7, 3),
    ("household", "日用品", "Household goods", 0, 0, 0, 0),
)

# (name, category code, unit, kg per unit, barcode, zone, date kind, allergens)
DEMO_ITEMS = (
    ("精米 5kg", "staples", Unit.bag, "5", None, Zone.ambient, DateKind.crop_year, ()),
    ("パックごはん", "staples", Unit.pack, "0.2", "4901234567894", Zone.ambient, DateKind.best_before, ()),
    (
        "カップ麺 しょうゆ味",
        "staples",
        Unit.piece,
        "0.08",
        "4902102072618",
        Zone.ambient,
        DateKind.best_before,
        ("wheat", "soybean", "pork"),
    ),
    ("さば水煮缶", "canned", Unit.can, "0.19", "4901001000012", Zone.ambient, DateKind.best_before, ("mackerel",)),
    (
        "レトルトカレー 中辛",
        "canned",
        Unit.pack,
        "0.2",
        None,
        Zone.ambient,
        DateKind.best_before,
        ("wheat", "milk", "soybean", "beef"),
    ),
    ("牛乳 1L", "dairy", Unit.bottle, "1.03", None, Zone.chilled, DateKind.use_by, ("milk",)),
    ("冷凍うどん", "frozen", Unit.pack, "0.6", None, Zone.frozen, DateKind.best_before, ("wheat",)),
    ("トイレットペーパー 12ロール", "household", Unit.pack, "1.1", None, Zone.ambient, DateKind.none, ()),
)


async def load(
    session: AsyncSession,
    settings: SecuritySettings,
    stock_settings: StockSettings | None = None,
    today: date | None = None,
) -> bool:
    """Create the demo data; False when it was already there."""
    if await account_queries.user_by_username(session, DEMO_USERS[0].username) is not None:
        return False
    agencies = [
        await accounts.create_agency(session, actor_id=None, name=name, kind=kind) for name, kind in DEMO_AGENCIES
    ]
    for demo in DEMO_USERS:
        await accounts.create_user(
            session,
            actor_id=None,
            username=demo.username,
            display_name=demo.display_name,
            password=demo.password,
            roles=[demo.role],
            agency_id=agencies[0].id if demo.role is Role.consultant else None,
            settings=settings,
        )
    await _load_stock(session, stock_settings or StockSettings(), today or date.today())
    return True


async def _load_stock(session: AsyncSession, settings: StockSettings, today: date) -> None:
    categories = {}
    for code, ja, en, receipt, individual, pantry, partner in DEMO_CATEGORIES:
        categories[code] = await catalogue.create_category(
            session,
            actor_id=None,
            code=code,
            name_ja=ja,
            name_en=en,
            min_days_at_receipt=receipt,
            min_days_individual=individual,
            min_days_pantry=pantry,
            min_days_partner=partner,
        )
    items = []
    for name, category, unit, kg, barcode, zone, kind, allergens in DEMO_ITEMS:
        items.append(
            await catalogue.create_item(
                session,
                actor_id=None,
                name_ja=name,
                name_en=None,
                category_id=categories[category].id,
                unit=unit,
                unit_weight_kg=Decimal(kg),
                barcode=barcode,
                zone=zone,
                date_kind=kind,
                allergens=list(allergens),
                allergens_known=True,
            )
        )
    warehouse = await catalogue.create_warehouse(session, actor_id=None, name="山武倉庫", address="千葉県山武市")
    shelves = {}
    for code, zone in (("A-01", Zone.ambient), ("A-02", Zone.ambient), ("C-01", Zone.chilled), ("F-01", Zone.frozen)):
        shelves[code] = await catalogue.create_location(
            session, actor_id=None, warehouse_id=warehouse.id, code=code, zone=zone
        )
    donors = [
        await catalogue.create_donor(
            session, actor_id=None, kind=DonorKind.company, name="株式会社さんぶ食品", contact=None, is_anonymous=False
        ),
        await catalogue.create_donor(
            session,
            actor_id=None,
            kind=DonorKind.food_drive,
            name="東金市役所フードドライブ",
            contact=None,
            is_anonymous=False,
        ),
        await catalogue.create_donor(
            session, actor_id=None, kind=DonorKind.individual, name=None, contact=None, is_anonymous=True
        ),
    ]

    def month(months_ahead: int) -> LabelDate:
        first = today.replace(day=1) + timedelta(days=31 * months_ahead)
        return parse_label_date(first.strftime("%Y-%m"))

    rice, rice_packs, noodles, mackerel, curry, milk, udon, paper = items
    lines: list[dict[str, Any]] = [
        {
            "item_id": rice.id,
            "quantity": 12,
            "crop_year": today.year - (0 if today.month >= 10 else 1),
            "location_id": shelves["A-02"].id,
        },
        {"item_id": rice_packs.id, "quantity": 48, "expiry": month(8), "location_id": shelves["A-01"].id},
        {"item_id": noodles.id, "quantity": 36, "expiry": month(4), "location_id": shelves["A-01"].id},
        {"item_id": mackerel.id, "quantity": 24, "expiry": month(20), "location_id": shelves["A-01"].id},
        {"item_id": curry.id, "quantity": 30, "expiry": month(12), "location_id": shelves["A-01"].id},
        {
            "item_id": milk.id,
            "quantity": 6,
            "expiry": parse_label_date((today + timedelta(days=4)).isoformat()),
            "location_id": shelves["C-01"].id,
        },
        {"item_id": udon.id, "quantity": 10, "expiry": month(6), "location_id": shelves["F-01"].id},
        {"item_id": paper.id, "quantity": 8, "location_id": shelves["A-02"].id},
    ]
    await stock.receive(
        session,
        actor_id=None,
        kind=ReceiptKind.donation,
        donor_id=donors[0].id,
        received_date=today,
        notes="デモデータ",
        lines=lines[:5],
        settings=settings,
    )
    await stock.receive(
        session,
        actor_id=None,
        kind=ReceiptKind.donation,
        donor_id=donors[1].id,
        received_date=today,
        notes="デモデータ",
        lines=lines[5:7],
        settings=settings,
    )
    await stock.receive(
        session,
        actor_id=None,
        kind=ReceiptKind.donation,
        donor_id=donors[2].id,
        received_date=today,
        notes=None,
        lines=lines[7:],
        settings=settings,
    )
