"""A parcel template's body loads to the command the service takes (`NewTemplate`), and the templates page's
form is that schema with a coordinator's words: one rule for the API and the page, said in each one's words."""

from __future__ import annotations

from typing import Any

import pytest
from marshmallow import EXCLUDE, ValidationError

from foodbank.lib.errors import flatten_marshmallow_errors
from foodbank.pages.api_forms import page_form
from foodbank.pages.pantry_planning import TemplateForm
from foodbank.pantry.schemas import TemplateIn
from foodbank.pantry.services import NewTemplate, TemplateLine


def said(schema: Any, data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ValidationError) as refused:
        schema(unknown=EXCLUDE).load(data)
    return {e["field"]: e["message"] for e in flatten_marshmallow_errors(refused.value.messages)}


def test_a_template_loads_to_its_command() -> None:
    body = {
        "name": "1〜2人",
        "min_people": 1,
        "max_people": 2,
        "lines": [{"item_id": 4, "quantity": 2}, {"category_id": 1, "quantity": 3}],
    }
    assert TemplateIn().load(body) == NewTemplate(
        name="1〜2人",
        min_people=1,
        max_people=2,
        lines=(TemplateLine(2, item_id=4), TemplateLine(3, category_id=1)),
    )


def test_the_api_says_every_mistake_at_once_in_its_field_names() -> None:
    body = {
        "name": "x",
        "min_people": 5,
        "max_people": 2,
        "lines": [{"item_id": 1, "category_id": 2, "quantity": 1}, {"quantity": 1}, {"item_id": "a", "quantity": 1}],
    }
    assert said(TemplateIn, body) == {
        "max_people": "Must be at least min_people.",
        "lines.0.category_id": "Give item_id or category_id, not both.",
        "lines.1.item_id": "Give item_id or category_id.",
        "lines.2.item_id": "Not a valid integer.",  # a bad id is said once, not also as "neither"
    }


def test_the_page_says_the_same_rules_in_its_words() -> None:
    posted = {
        "name": "x",
        "min_people": "5",
        "max_people": "2",
        "lines": [
            {"item_id": "1", "category_id": "2", "quantity": "1"},
            {"quantity": "0"},
            {"item_id": "0", "quantity": "1"},
        ],
    }
    assert said(TemplateForm, posted) == {
        "max_people": "The largest size must be at least the smallest.",
        "lines.0.category_id": "Choose an item or a category, not both.",
        "lines.1.item_id": "Choose an item or a category.",
        "lines.1.quantity": "Give a quantity from 1 to 1,000.",
        "lines.2.item_id": "Must be one of the choices.",
    }
    assert said(TemplateForm, {"name": "x", "min_people": "1", "max_people": "2"}) == {
        "lines": "Add at least one line: an item or a category, and its quantity."
    }


def test_a_page_cannot_reword_what_the_schema_never_says() -> None:
    with pytest.raises(TypeError, match="never says"):
        page_form(TemplateIn, rewords={"Must be at most max_people.": "The smallest size is too large."})
