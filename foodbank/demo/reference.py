"""The demo's fixed reference data: sign-ins, agencies, catalogue, donors, venues, parcel templates,
appliance models and the parts of fictional names. Plain tables; `plan` and `builder` use them.

Every person is fictional and says so: names end in "(demo)", phone numbers start with 000.
"""

from __future__ import annotations

from dataclasses import dataclass

from foodbank.models import AgencyKind, ApplianceCategory, DonorKind, Role, Unit, Zone
from foodbank.picking.fefo import DateKind


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
"""The sign-ins `foodbank run` prints (public passwords: never load the demo into a real installation)."""

VOLUNTEERS = (
    ("volunteer-ito", "配達ボランティア 伊藤 (demo)"),
    ("volunteer-watanabe", "配達ボランティア 渡辺 (demo)"),
)
"""Further warehouse volunteers, without a password: they only appear as who handed goods over."""


@dataclass(frozen=True)
class DemoAgency:
    key: str
    name: str
    kind: AgencyKind
    consultant: str
    """The username of its consultant: `consultant` (the demo sign-in) for the first, others have no password."""
    weight: int
    """Share of the referrals it makes."""


DEMO_AGENCIES = (
    DemoAgency("kikan", "山武郡市基幹相談支援センター", AgencyKind.core_consultation, "consultant", 22),
    DemoAgency("shakyo", "山武市社会福祉協議会", AgencyKind.social_welfare_council, "consultant-shakyo", 24),
    DemoAgency(
        "chukaku", "中核地域生活支援センター さんぶ", AgencyKind.regional_support_centre, "consultant-chukaku", 20
    ),
    DemoAgency("togane", "東金市役所 社会福祉課", AgencyKind.municipal_office, "consultant-togane", 12),
    DemoAgency("jigyosho", "相談支援事業所 みどり", AgencyKind.consultation_office, "consultant-midori", 10),
    DemoAgency("centre", "生活相談センター さんぶ（NPO）", AgencyKind.other, "consultant-centre", 12),
)

CONSULTANT_NAMES = {
    "consultant-shakyo": "相談員 中村 (demo)",
    "consultant-chukaku": "相談員 小林 (demo)",
    "consultant-togane": "相談員 加藤 (demo)",
    "consultant-midori": "相談支援専門員 吉田 (demo)",
    "consultant-centre": "相談員 山本 (demo)",
}


# (code, 日本語, English, min days of best-before at receipt / individual / pantry / partner)
DEMO_CATEGORIES = (
    ("rice", "米", "Rice", 0, 0, 0, 0),
    ("staples", "主食（麺・パックごはん）", "Staples (noodles, rice packs)", 30, 14, 7, 3),
    ("canned", "缶詰・レトルト", "Canned and retort", 60, 30, 14, 7),
    ("seasonings", "調味料・即席汁物", "Seasonings and instant soup", 60, 30, 14, 7),
    ("snacks", "菓子・飲料", "Snacks and drinks", 30, 14, 7, 3),
    ("dairy", "乳製品・チルド", "Dairy and chilled", 2, 1, 1, 0),
    ("frozen", "冷凍食品", "Frozen food", 30, 14, 7, 3),
    ("produce", "野菜・果物", "Vegetables and fruit", 1, 1, 1, 0),
    ("household", "日用品", "Household goods", 0, 0, 0, 0),
)


@dataclass(frozen=True)
class DemoItem:
    key: str
    name: str
    category: str
    unit: Unit
    kg: str
    barcode: str | None
    zone: Zone
    date_kind: DateKind
    allergens: tuple[str, ...] = ()
    ready_to_eat: bool = False
    shelf_days: tuple[int, int] = (0, 0)
    """Days of best-before or use-by left when it is donated (at least the category's minimum at receipt)."""
    weight: int = 1
    """How often donors give it, among the items of its category."""
    stockpile: bool = False
    """Comes from municipal disaster stockpiles (行政の備蓄品) only, close to its date."""


DEMO_ITEMS = (
    DemoItem("rice2", "精米 2kg", "rice", Unit.bag, "2", None, Zone.ambient, DateKind.crop_year),
    DemoItem("rice5", "精米 5kg", "rice", Unit.bag, "5", None, Zone.ambient, DateKind.crop_year),
    DemoItem(
        "pack_rice",
        "パックごはん",
        "staples",
        Unit.pack,
        "0.2",
        "4901234567894",
        Zone.ambient,
        DateKind.best_before,
        shelf_days=(180, 300),
        weight=4,
    ),
    DemoItem(
        "cup_noodles",
        "カップ麺 しょうゆ味",
        "staples",
        Unit.piece,
        "0.08",
        "4902102072618",
        Zone.ambient,
        DateKind.best_before,
        ("wheat", "soybean", "pork"),
        shelf_days=(90, 150),
        weight=3,
    ),
    DemoItem(
        "ramen5",
        "袋麺 5食パック",
        "staples",
        Unit.pack,
        "0.5",
        None,
        Zone.ambient,
        DateKind.best_before,
        ("wheat", "soybean"),
        shelf_days=(120, 200),
        weight=2,
    ),
    DemoItem(
        "pasta",
        "スパゲッティ 500g",
        "staples",
        Unit.pack,
        "0.5",
        None,
        Zone.ambient,
        DateKind.best_before,
        ("wheat",),
        shelf_days=(365, 720),
        weight=2,
    ),
    DemoItem(
        "alpha_rice",
        "アルファ化米（備蓄品）",
        "staples",
        Unit.pack,
        "0.1",
        None,
        Zone.ambient,
        DateKind.best_before,
        shelf_days=(90, 200),
        stockpile=True,
    ),
    DemoItem(
        "mackerel",
        "さば水煮缶",
        "canned",
        Unit.can,
        "0.19",
        "4901001000012",
        Zone.ambient,
        DateKind.best_before,
        ("mackerel",),
        ready_to_eat=True,
        shelf_days=(500, 1000),
        weight=3,
    ),
    DemoItem(
        "tuna",
        "ツナ缶",
        "canned",
        Unit.can,
        "0.07",
        None,
        Zone.ambient,
        DateKind.best_before,
        ("soybean",),
        ready_to_eat=True,
        shelf_days=(500, 1000),
        weight=3,
    ),
    DemoItem(
        "curry",
        "レトルトカレー 中辛",
        "canned",
        Unit.pack,
        "0.2",
        None,
        Zone.ambient,
        DateKind.best_before,
        ("wheat", "milk", "soybean", "beef"),
        ready_to_eat=True,
        shelf_days=(300, 600),
        weight=3,
    ),
    DemoItem(
        "yakitori",
        "焼き鳥缶",
        "canned",
        Unit.can,
        "0.08",
        None,
        Zone.ambient,
        DateKind.best_before,
        ("chicken", "soybean", "wheat"),
        ready_to_eat=True,
        shelf_days=(500, 900),
        weight=1,
    ),
    DemoItem(
        "miso_soup",
        "即席みそ汁 10食",
        "seasonings",
        Unit.pack,
        "0.2",
        None,
        Zone.ambient,
        DateKind.best_before,
        ("soybean",),
        shelf_days=(150, 300),
        weight=3,
    ),
    DemoItem(
        "soy_sauce",
        "しょうゆ 1L",
        "seasonings",
        Unit.bottle,
        "1.1",
        None,
        Zone.ambient,
        DateKind.best_before,
        ("wheat", "soybean"),
        shelf_days=(200, 500),
        weight=2,
    ),
    DemoItem(
        "oil",
        "サラダ油 1000g",
        "seasonings",
        Unit.bottle,
        "1.0",
        None,
        Zone.ambient,
        DateKind.best_before,
        shelf_days=(300, 500),
        weight=1,
    ),
    DemoItem(
        "sweets",
        "お菓子 詰め合わせ",
        "snacks",
        Unit.pack,
        "0.3",
        None,
        Zone.ambient,
        DateKind.best_before,
        ("wheat", "milk", "egg"),
        ready_to_eat=True,
        shelf_days=(60, 180),
        weight=3,
    ),
    DemoItem(
        "green_tea",
        "緑茶 500ml",
        "snacks",
        Unit.bottle,
        "0.53",
        None,
        Zone.ambient,
        DateKind.best_before,
        ready_to_eat=True,
        shelf_days=(150, 300),
        weight=2,
    ),
    DemoItem(
        "water",
        "保存水 2L（備蓄品）",
        "snacks",
        Unit.bottle,
        "2.0",
        None,
        Zone.ambient,
        DateKind.best_before,
        ready_to_eat=True,
        shelf_days=(90, 300),
        stockpile=True,
    ),
    DemoItem(
        "milk",
        "牛乳 1L",
        "dairy",
        Unit.bottle,
        "1.03",
        None,
        Zone.chilled,
        DateKind.use_by,
        ("milk",),
        ready_to_eat=True,
        shelf_days=(4, 7),
        weight=3,
    ),
    DemoItem(
        "yogurt",
        "ヨーグルト 400g",
        "dairy",
        Unit.pack,
        "0.4",
        None,
        Zone.chilled,
        DateKind.best_before,
        ("milk",),
        ready_to_eat=True,
        shelf_days=(10, 16),
        weight=1,
    ),
    DemoItem(
        "udon",
        "冷凍うどん 5食",
        "frozen",
        Unit.pack,
        "1.0",
        None,
        Zone.frozen,
        DateKind.best_before,
        ("wheat",),
        shelf_days=(120, 300),
        weight=2,
    ),
    DemoItem(
        "veg_mix",
        "冷凍ミックスベジタブル",
        "frozen",
        Unit.pack,
        "0.5",
        None,
        Zone.frozen,
        DateKind.best_before,
        shelf_days=(200, 400),
        weight=2,
    ),
    DemoItem(
        "vegetables",
        "季節の野菜（箱）",
        "produce",
        Unit.box,
        "5",
        None,
        Zone.chilled,
        DateKind.use_by,
        shelf_days=(4, 7),
        weight=4,
    ),
    DemoItem(
        "fruit",
        "果物（箱）",
        "produce",
        Unit.box,
        "4",
        None,
        Zone.chilled,
        DateKind.use_by,
        ready_to_eat=True,
        shelf_days=(7, 12),
        weight=1,
    ),
    DemoItem(
        "toilet_paper",
        "トイレットペーパー 12ロール",
        "household",
        Unit.pack,
        "1.1",
        None,
        Zone.ambient,
        DateKind.none,
        weight=3,
    ),
    DemoItem("detergent", "洗濯用洗剤", "household", Unit.box, "0.9", None, Zone.ambient, DateKind.none, weight=2),
)
ITEMS_BY_KEY = {item.key: item for item in DEMO_ITEMS}

# (code, zone): where stock goes; K-01 is the appliance store.
LOCATIONS = (
    ("A-01", Zone.ambient),
    ("A-02", Zone.ambient),
    ("A-03", Zone.ambient),
    ("C-01", Zone.chilled),
    ("F-01", Zone.frozen),
    ("K-01", Zone.ambient),
)
SHELF_OF_CATEGORY = {
    "rice": "A-02",
    "staples": "A-01",
    "canned": "A-01",
    "seasonings": "A-03",
    "snacks": "A-03",
    "household": "A-02",
    "dairy": "C-01",
    "produce": "C-01",
    "frozen": "F-01",
}


@dataclass(frozen=True)
class DemoDonor:
    key: str
    kind: DonorKind
    name: str | None
    """None: an anonymous individual."""


DEMO_DONORS = (
    DemoDonor("anonymous", DonorKind.individual, None),
    DemoDonor("ind_oami", DonorKind.individual, "大網 一郎 (demo)"),
    DemoDonor("ind_kujukuri", DonorKind.individual, "九十九里 花子 (demo)"),
    DemoDonor("ind_shibayama", DonorKind.individual, "芝山 次郎 (demo)"),
    DemoDonor("sanbu_foods", DonorKind.company, "株式会社さんぶ食品"),
    DemoDonor("boso_noodles", DonorKind.company, "房総製麺株式会社"),
    DemoDonor("kujukuri_marine", DonorKind.company, "九十九里水産加工株式会社"),
    DemoDonor("coop", DonorKind.company, "生活協同組合さんぶ"),
    DemoDonor("naruto_farm", DonorKind.farm, "成東ファーム"),
    DemoDonor("hasunuma_farm", DonorKind.farm, "蓮沼 米農家 (demo)"),
    DemoDonor("shibayama_farm", DonorKind.farm, "芝山 農園"),
    DemoDonor("super_sanbu", DonorKind.retailer, "スーパーさんぶ 成東店"),
    DemoDonor("drugstore", DonorKind.retailer, "ドラッグストアくじゅうくり"),
    DemoDonor("togane_drive", DonorKind.food_drive, "東金市役所フードドライブ"),
    DemoDonor("shakyo_drive", DonorKind.food_drive, "山武市社会福祉協議会フードドライブ"),
    DemoDonor("school_drive", DonorKind.food_drive, "県立さんぶ高校 生徒会フードドライブ"),
    DemoDonor("sammu_stockpile", DonorKind.government_stockpile, "山武市 危機管理課（防災備蓄品）"),
    DemoDonor("togane_stockpile", DonorKind.government_stockpile, "東金市 防災備蓄品"),
    DemoDonor("other_fb", DonorKind.other_food_bank, "フードバンク房総"),
)


# Parcel templates, shared by individual support and pantry days: (name, people from, to, lines), a line
# being ("item", key, units) or ("category", code, units).
PARCEL_TEMPLATES = (
    (
        "小世帯（1〜2人）",
        1,
        2,
        (
            ("item", "rice2", 1),
            ("category", "staples", 3),
            ("category", "canned", 4),
            ("category", "seasonings", 1),
            ("category", "snacks", 2),
        ),
    ),
    (
        "中世帯（3〜4人）",
        3,
        4,
        (
            ("item", "rice5", 1),
            ("category", "staples", 5),
            ("category", "canned", 6),
            ("category", "seasonings", 2),
            ("category", "snacks", 3),
            ("category", "household", 1),
        ),
    ),
    (
        "大世帯（5人以上）",
        5,
        20,
        (
            ("item", "rice5", 2),
            ("category", "staples", 7),
            ("category", "canned", 8),
            ("category", "seasonings", 2),
            ("category", "snacks", 4),
            ("category", "household", 2),
        ),
    ),
)

CAFETERIA_NAME = "ちいき食堂ほのん"
# What the cafeteria takes for one session (besides fresh produce and dairy, donated the day before).
CAFETERIA_ITEMS = (("rice5", 2),)
CAFETERIA_CATEGORIES = (("staples", 4), ("canned", 6), ("seasonings", 2), ("frozen", 4))

# (name, address, municipality code)
VENUES = (
    ("東金市 中央公民館", "千葉県東金市 (demo)", "togane"),
    ("山武市 成東文化会館", "千葉県山武市 (demo)", "sammu"),
    ("大網白里市 保健文化センター", "千葉県大網白里市 (demo)", "oamishirasato"),
)

# (category, makers, size labels)
APPLIANCE_MODELS: dict[ApplianceCategory, tuple[tuple[str, ...], tuple[str, ...]]] = {
    ApplianceCategory.refrigerator: (("パナソニック", "シャープ", "日立"), ("138L", "168L", "270L")),
    ApplianceCategory.washing_machine: (("東芝", "日立", "アイリスオーヤマ"), ("5kg", "6kg", "7kg")),
    ApplianceCategory.microwave: (("シャープ", "パナソニック", "山善"), ("17L", "22L")),
    ApplianceCategory.rice_cooker: (("象印", "タイガー", "パナソニック"), ("3合", "5.5合")),
    ApplianceCategory.tv: (("ソニー", "シャープ", "東芝"), ("24型", "32型")),
    ApplianceCategory.fan: (("山善", "アイリスオーヤマ"), ("30cm",)),
    ApplianceCategory.heater: (("コロナ", "ダイキン"), ("1200W",)),
    ApplianceCategory.vacuum: (("パナソニック", "日立"), ("紙パック式", "サイクロン式")),
}
# What households ask for, with weights: fridges, washers and microwaves above all.
APPLIANCE_DEMAND = (
    (ApplianceCategory.refrigerator, "冷蔵庫", 6),
    (ApplianceCategory.washing_machine, "洗濯機", 5),
    (ApplianceCategory.microwave, "電子レンジ", 4),
    (ApplianceCategory.rice_cooker, "炊飯器", 3),
    (ApplianceCategory.tv, "テレビ", 1),
    (ApplianceCategory.fan, "扇風機", 1),
    (ApplianceCategory.heater, "暖房器具", 1),
    (ApplianceCategory.vacuum, "掃除機", 1),
)

# Fictional names: a place of the district as surname, a common given name, and "(demo)".
SURNAMES = (
    "山武",
    "東金",
    "成東",
    "大網",
    "白里",
    "九十九",
    "芝山",
    "横芝",
    "松尾",
    "蓮沼",
    "日向",
    "求名",
    "片貝",
    "作田",
    "本須賀",
    "豊海",
    "木戸",
    "北清水",
)
GIVEN_NAMES = (
    "太郎",
    "花子",
    "一郎",
    "陽子",
    "健二",
    "美咲",
    "誠",
    "由美",
    "翔太",
    "さくら",
    "大輔",
    "真理子",
    "勇気",
    "和子",
    "蓮",
    "葵",
)
MUNICIPALITIES = (
    ("togane", "東金市", 30),
    ("sammu", "山武市", 28),
    ("oamishirasato", "大網白里市", 20),
    ("kujukuri", "九十九里町", 9),
    ("shibayama", "芝山町", 5),
    ("yokoshibahikari", "横芝光町", 8),
)
