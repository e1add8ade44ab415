"""Demo data, built through the services so that it obeys every rule real data obeys.

Loaded once by `foodbank run` (and `foodbank demo load`): it does nothing when the demo admin exists.
The demo passwords are public; never load demo data into a real installation.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.accounts import queries as account_queries
from foodbank.accounts import services as accounts
from foodbank.config import SecuritySettings
from foodbank.models import AgencyKind, Role


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


async def load(session: AsyncSession, settings: SecuritySettings) -> bool:
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
    return True
