"""The parcel templates page: the templates with their lines, adding one through the service the API
uses (an item line and a category line), refusals said at their fields with what was typed kept and
nothing written, who may open it, and the page in English."""

from __future__ import annotations

import html
import re
from typing import Any

from httpx import Response
from litestar import Litestar

from foodbank.models import Role
from tests.conftest import Actors
from tests.integration.pages.test_coordinator_pages import signed_in, text_of
from tests.integration.pantry import conftest as pantry_fixtures
from tests.integration.pantry.conftest import EVENT_DAY, Pantry

# The pantry tests' fixtures (a stocked warehouse, people in every role, a venue), used as they are.
wh, community, pantry = pantry_fixtures.wh, pantry_fixtures.community, pantry_fixtures.pantry

PAGE = "/coordinator/pantry/templates"


async def templates(p: Pantry) -> list[dict[str, Any]]:
    response = await p.client.get("/api/parcel-templates", headers=p.coordinator.headers)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def new_day_plan(p: Pantry, *template_ids: int) -> dict[str, Any]:
    """The form of a new pantry day (one slot) that chooses these templates."""
    return {
        "venue_id": p.venue,
        "event_date": EVENT_DAY.isoformat(),
        "slots-0-start_time": "10:00",
        "slots-0-end_time": "11:00",
        "slots-0-capacity": "10",
        **{f"template-{t}": "on" for t in template_ids},
    }


def field_error(response: Response, name: str) -> str:
    """The message shown under a field (the first one)."""
    match = re.search(rf'<p class="field-error" id="{name}-error">([^<]*)</p>', response.text)
    assert match, f"no message at {name}"
    return match.group(1)


async def test_templates_are_listed_with_their_lines_and_one_is_added(app: Litestar, pantry: Pantry) -> None:
    p, wh = pantry, pantry.c.wh
    staples = await p.category("staples")
    await p.template(
        "1〜2人セット",
        [{"item_id": wh.canned, "quantity": 2}, {"category_id": staples, "quantity": 1}],
        people=(1, 2),
        note="缶切り不要のもの",
    )
    coordinator = await signed_in(app, p.coordinator)

    page = await coordinator.get(PAGE)
    assert page.status_code == 200
    text = text_of(page)
    assert "箱の内容" in text and "1〜2人セット" in text and "1〜2 人" in text and "缶切り不要のもの" in text
    assert "さば缶 2 個" in text and "主食 のいずれかの品目 1 個" in text
    assert 'name="_csrf"' in page.text and page.text.count('name="lines-5-quantity"') == 1
    assert f'<option value="{wh.rice}">米 5kg</option>' in page.text
    assert f'<option value="{staples}">主食</option>' in page.text

    created = await coordinator.post(
        PAGE,
        {
            "name": "調理不要 3〜4人",
            "min_people": "3",
            "max_people": "４",  # a full-width digit, as a Japanese keyboard types it
            "ready_to_eat_only": "on",
            "note": "",
            "lines-0-item_id": wh.noodles,
            "lines-0-quantity": "3",
            "lines-3-category_id": staples,
            "lines-3-quantity": "2",
        },
    )
    shown = await coordinator.follow(created)
    assert "箱の内容「調理不要 3〜4人」を追加しました。" in shown.text
    assert "3〜4 人" in text_of(shown) and "カップ麺 3 個" in text_of(shown)

    saved = next(t for t in await templates(p) if t["name"] == "調理不要 3〜4人")
    assert (saved["min_people"], saved["max_people"], saved["ready_to_eat_only"], saved["note"]) == (3, 4, True, None)
    assert [(line["item_id"], line["category_id"], line["quantity"]) for line in saved["lines"]] == [
        (wh.noodles, None, 3),
        (None, staples, 2),
    ]

    # Where a day's templates are chosen, the page is a tap away, and the new template is there to choose.
    for path in ("/coordinator/pantry", "/coordinator/pantry/new"):
        assert f'href="{PAGE}"' in (await coordinator.get(path)).text, path
    assert "調理不要 3〜4人" in (await coordinator.get("/coordinator/pantry/new")).text


async def test_refusals_are_said_at_their_fields_keep_what_was_typed_and_write_nothing(
    app: Litestar, pantry: Pantry
) -> None:
    p, wh = pantry, pantry.c.wh
    staples = await p.category("staples")
    await p.template("標準", [{"item_id": wh.canned, "quantity": 1}])
    before = await templates(p)
    coordinator = await signed_in(app, p.coordinator)

    nothing = await coordinator.post(PAGE, {"note": "メモ"})
    assert nothing.status_code == 422
    assert field_error(nothing, "name") == "名前を入力してください。"
    assert field_error(nothing, "min_people") == "何人からの世帯向けかを入力してください。"
    assert field_error(nothing, "lines-0-item_id") == "行を 1 つ以上入力してください（品目または分類と、その数量）。"
    assert 'value="メモ"' in nothing.text and "下の印のついた項目を確認してください。" in nothing.text

    typed = {
        "name": "x" * 201,
        "min_people": "5",
        "max_people": "2",
        "ready_to_eat_only": "on",
        "lines-0-item_id": wh.canned,
        "lines-0-category_id": staples,
        "lines-0-quantity": "2",
        "lines-1-quantity": "abc",
        "lines-2-item_id": wh.rice,
        "lines-2-quantity": "99999999999999999999",
        "lines-4-item_id": "99999999999999999999",
        "lines-4-quantity": "1",
        "lines-5-category_id": "abc",
        "lines-5-quantity": "0",
    }
    wrong = await coordinator.post(PAGE, typed)
    assert wrong.status_code == 422
    assert field_error(wrong, "name") == "200 文字以内で入力してください。"
    assert field_error(wrong, "max_people") == "「何人まで」は「何人から」以上にしてください。"
    assert field_error(wrong, "lines-0-category_id") == "品目か分類のどちらか一方だけを選んでください。"
    assert field_error(wrong, "lines-1-quantity") == "数量は整数で入力してください。"
    assert field_error(wrong, "lines-1-item_id") == "品目または分類を選んでください。"
    assert field_error(wrong, "lines-2-quantity") == "数量は 1 から 1,000 までで入力してください。"
    assert field_error(wrong, "lines-4-item_id") == "選択肢から選んでください。"
    assert field_error(wrong, "lines-5-category_id") == "選択肢から選んでください。"
    assert field_error(wrong, "lines-5-quantity") == "数量は 1 から 1,000 までで入力してください。"
    assert 'value="abc"' in wrong.text and 'value="99999999999999999999"' in wrong.text
    assert 'name="ready_to_eat_only" value="on" checked' in wrong.text
    assert re.search(rf'<option value="{wh.canned}" selected>', wrong.text)
    assert re.search(rf'<option value="{staples}" selected>', wrong.text)

    # What only the service can tell: ids that are not (or no longer) in the catalogue, a name in use.
    unknown = await coordinator.post(
        PAGE,
        {
            "name": "新しいセット",
            "min_people": "1",
            "max_people": "2",
            "lines-1-item_id": wh.canned,
            "lines-1-quantity": "1",
            "lines-2-item_id": "999999",
            "lines-2-quantity": "1",
            "lines-4-category_id": "999998",
            "lines-4-quantity": "1",
        },
    )
    assert unknown.status_code == 422
    assert field_error(unknown, "lines-2-item_id") == "品目 999999 はありません。"
    assert field_error(unknown, "lines-4-category_id") == "分類 999998 はありません。"
    assert 'value="新しいセット"' in unknown.text

    taken = await coordinator.post(
        PAGE,
        {"name": "標準", "min_people": "1", "max_people": "9", "lines-0-item_id": wh.rice, "lines-0-quantity": "1"},
    )
    assert taken.status_code == 409
    assert field_error(taken, "name") == "同じ名前の箱の内容がすでにあります。別の名前にしてください。"
    assert re.search(rf'<option value="{wh.rice}" selected>', taken.text)

    assert await templates(p) == before


async def test_only_coordinators_and_admins_manage_templates(app: Litestar, pantry: Pantry, actors: Actors) -> None:
    body = {"name": "x", "min_people": "1", "max_people": "2", "lines-0-item_id": pantry.c.wh.canned}
    for actor in (pantry.warehouse, pantry.c.consultant):
        person = await signed_in(app, actor)
        refused = await person.get(PAGE)
        assert refused.status_code == 403 and "あなたの役割では" in refused.text
        assert (await person.post(PAGE, {**body, "lines-0-quantity": "1"})).status_code == 403
        assert f'href="{PAGE}"' not in (await person.get("/coordinator/pantry")).text
    admin = await signed_in(app, await actors.make(Role.admin))
    assert (await admin.get(PAGE)).status_code == 200
    assert await templates(pantry) == []


async def test_the_page_in_english(app: Litestar, pantry: Pantry) -> None:
    p, wh = pantry, pantry.c.wh
    await p.template("Small household", [{"category_id": await p.category("dairy"), "quantity": 1}], people=(1, 2))
    english = await signed_in(app, p.coordinator, lang="en")

    page = await english.get(PAGE)
    assert '<html lang="en">' in page.text
    text = text_of(page)
    assert "Parcel templates" in text and "1–2 people" in text and "any item of Dairy 1 unit" in text
    assert "Add a parcel template" in text and "Or any item of the category" in text

    refused = await english.post(
        PAGE, {"name": "Family", "min_people": "4", "max_people": "3", "lines-0-item_id": wh.milk}
    )
    assert refused.status_code == 422
    assert field_error(refused, "max_people") == "The largest size must be at least the smallest."
    assert field_error(refused, "lines-0-quantity") == "Give the quantity."


async def test_planning_starts_with_templates_that_fit_together_and_names_an_overlap(
    app: Litestar, pantry: Pantry
) -> None:
    p, wh = pantry, pantry.c.wh
    first = await p.template("小世帯", [{"item_id": wh.canned, "quantity": 2}], people=(1, 2))
    added_later = await p.template("おためし", [{"item_id": wh.canned, "quantity": 1}], people=(2, 4))
    large = await p.template("大世帯", [{"item_id": wh.canned, "quantity": 4}], people=(5, 9))
    coordinator = await signed_in(app, p.coordinator)

    form = await coordinator.get("/coordinator/pantry/new")
    assert f'name="template-{first}" value="on" checked' in form.text
    assert f'name="template-{large}" value="on" checked' in form.text
    assert f'name="template-{added_later}" value="on">' in form.text, "overlaps the first: offered, not ticked"

    refused = await coordinator.post("/coordinator/pantry", new_day_plan(p, first, added_later))
    assert refused.status_code == 422
    assert '箱の内容 "小世帯" (1-2) と "おためし" (2-4) の人数の範囲が重なっています' in html.unescape(text_of(refused))


async def test_a_template_is_retired_after_a_second_click_listed_apart_and_used_again(
    app: Litestar, pantry: Pantry
) -> None:
    p, wh = pantry, pantry.c.wh
    trial = await p.template("おためしセット", [{"item_id": wh.canned, "quantity": 1}], people=(1, 2))
    large = await p.template("大世帯", [{"item_id": wh.canned, "quantity": 4}], people=(3, 9))
    event = (await p.event([trial, large]))["id"]
    coordinator = await signed_in(app, p.coordinator)

    page = await coordinator.get(PAGE)
    assert page.text.count('<details class="confirm-step">') == 2 and 'id="retired"' not in page.text
    assert f'action="{PAGE}/{trial}/retire"' in page.text and "使わなくする" in text_of(page)

    retired = await coordinator.post(f"{PAGE}/{trial}/retire", {})
    assert retired.status_code == 303 and retired.headers["location"] == f"{PAGE}#retired"
    shown = await coordinator.follow(retired)
    assert "箱の内容「おためしセット」を使わなくしました。" in shown.text
    active, _, apart = shown.text.partition('<details class="card" id="retired">')
    assert f'id="template-{trial}"' not in active and f'id="template-{large}"' in active
    assert "使わなくした箱の内容（1 件）" in apart and "おためしセット" in apart
    assert f'action="{PAGE}/{trial}/restore"' in apart and "また使う" in apart
    assert [t["name"] for t in await templates(p)] == ["大世帯"]

    # A new day no longer offers it, and one that names it anyway is refused at the templates.
    assert f'name="template-{trial}"' not in (await coordinator.get("/coordinator/pantry/new")).text
    refused = await coordinator.post("/coordinator/pantry", new_day_plan(p, trial, large))
    assert refused.status_code == 422
    assert "箱の内容「おためしセット」は使わなくしています。" in field_error(refused, "template_ids")

    # The day that already uses it keeps it, marked, and its plan can still be saved.
    day = await coordinator.get(f"/coordinator/pantry/{event}")
    assert f'name="template-{trial}" value="on" checked' in day.text and "使わなくした" in text_of(day)
    saved = await coordinator.post(
        f"/coordinator/pantry/{event}/plan",
        {
            f"template-{trial}": "on",
            f"template-{large}": "on",
            "expected_walk_in_people": "0",
            "walk_in_household_size": "3",
            "note": "",
        },
    )
    assert saved.status_code == 303, saved.text

    twice = await coordinator.post(f"{PAGE}/{trial}/retire", {})
    assert twice.status_code == 409 and "この箱の内容には今これはできません。" in twice.text

    restored = await coordinator.post(f"{PAGE}/{trial}/restore", {})
    assert restored.status_code == 303 and restored.headers["location"] == f"{PAGE}#template-{trial}"
    again = await coordinator.follow(restored)
    assert "箱の内容「おためしセット」をまた使えるようにしました。" in again.text and 'id="retired"' not in again.text
    assert f'name="template-{trial}"' in (await coordinator.get("/coordinator/pantry/new")).text

    volunteer = await signed_in(app, p.warehouse)
    assert (await volunteer.post(f"{PAGE}/{trial}/retire", {})).status_code == 403
    assert (await coordinator.post(f"{PAGE}/999999/retire", {})).status_code == 404
