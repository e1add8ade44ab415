"""Pages read through the areas' queries (and write through their services): no page module builds SQL
or runs a statement itself. The database session is only passed on."""

from __future__ import annotations

import ast
from pathlib import Path

import foodbank.pages

PAGES = Path(foodbank.pages.__file__).resolve().parent
RUNS_SQL = {"execute", "scalars", "scalar", "stream", "stream_scalars", "get"}
"""AsyncSession's methods that run a statement (or read a row by key)."""


def _problems(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            names = {alias.name for alias in node.names}
            if node.module != "sqlalchemy.ext.asyncio" or names != {"AsyncSession"}:
                found.append(f"{path.name}:{node.lineno}: imports {sorted(names)} from {node.module}")
        elif isinstance(node, ast.Import) and any(a.name.startswith("sqlalchemy") for a in node.names):
            found.append(f"{path.name}:{node.lineno}: imports sqlalchemy")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in RUNS_SQL
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id.endswith("session")
        ):
            found.append(f"{path.name}:{node.lineno}: {node.func.value.id}.{node.func.attr}()")
    return found


def test_no_page_module_builds_or_runs_sql() -> None:
    problems = [problem for path in sorted(PAGES.glob("*.py")) for problem in _problems(path)]
    assert not problems, "\n".join(problems)


def test_the_check_sees_sql(tmp_path: Path) -> None:
    page = tmp_path / "page.py"
    page.write_text(
        "from sqlalchemy import select\n"
        "async def read(db_session):\n"
        "    return await db_session.scalars(select(Item))\n",
        encoding="utf-8",
    )
    assert _problems(page) == ["page.py:1: imports ['select'] from sqlalchemy", "page.py:3: db_session.scalars()"]
