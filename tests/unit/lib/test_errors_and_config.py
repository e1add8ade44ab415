"""Pure pieces: error flattening, request fingerprints and settings parsing."""

from __future__ import annotations

import pytest

from foodbank.config import Settings, SettingsError
from foodbank.lib.errors import flatten_marshmallow_errors
from foodbank.lib.idempotency import fingerprint


def test_nested_marshmallow_errors_become_dotted_fields() -> None:
    messages = {
        "lines": {0: {"quantity": ["Must be greater than 0."]}},
        "_schema": ["Bad."],
        "name": ["Missing."],
    }
    assert flatten_marshmallow_errors(messages) == [
        {"field": "lines.0.quantity", "message": "Must be greater than 0."},
        {"field": "(body)", "message": "Bad."},
        {"field": "name", "message": "Missing."},
    ]


def test_fingerprint_ignores_json_layout_but_not_content() -> None:
    a = fingerprint("POST", "/api/x", b'{"a": 1, "b": [1, 2]}')
    assert a == fingerprint("POST", "/api/x", b'{"b":[1,2],"a":1}')
    assert a != fingerprint("POST", "/api/x", b'{"a": 2, "b": [1, 2]}')
    assert a != fingerprint("POST", "/api/y", b'{"a": 1, "b": [1, 2]}')


def test_settings_read_the_environment() -> None:
    settings = Settings.from_env(
        {"DATABASE_URL": "postgresql+asyncpg://x/y", "FOODBANK_PORT": "9000", "FOODBANK_COOKIE_SECURE": "yes"}
    )
    assert settings.database.url == "postgresql+asyncpg://x/y"
    assert settings.http.port == 9000
    assert settings.security.cookie_secure is True
    assert Settings.from_env({}).database.url is None


@pytest.mark.parametrize(
    ("name", "value"),
    [("FOODBANK_PORT", "eighty"), ("FOODBANK_COOKIE_SECURE", "maybe"), ("FOODBANK_SESSION_DAYS", "0")],
)
def test_bad_settings_say_which_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


def test_numbers_no_column_holds_are_field_errors_where_they_were_sent() -> None:
    from foodbank.lib.validation import TOO_LARGE, out_of_range
    from foodbank.pages.forms import MARSHMALLOW_MESSAGES

    lines = [{"lot_id": 1}, {"lot_id": -(2**31) - 1}]
    loaded = {"household_id": 2**31, "people": 2**31 - 1, "ok": True, "lines": lines}
    assert out_of_range(loaded) == {"household_id": [TOO_LARGE], "lines": {1: {"lot_id": [TOO_LARGE]}}}
    assert out_of_range({"lines": [{"lot_id": 5}], "n": -(2**31)}) == {}
    assert TOO_LARGE in MARSHMALLOW_MESSAGES, "the pages translate it"


def test_numbers_no_column_holds_are_found_inside_the_commands_schemas_load_to() -> None:
    """A schema whose post_load makes a dataclass command (appliances' Intake, Inspection) is checked as
    deeply as a dict: a donor id beyond PostgreSQL's integer is a field error, not a driver error."""
    from dataclasses import dataclass

    from foodbank.lib.validation import TOO_LARGE, out_of_range

    @dataclass(frozen=True)
    class Line:
        lot_id: int

    @dataclass(frozen=True)
    class Command:
        donor_id: int | None
        lines: tuple[Line, ...]

    assert out_of_range(Command(2**31, (Line(1), Line(-(2**31) - 1)))) == {
        "donor_id": [TOO_LARGE],
        "lines": {1: {"lot_id": [TOO_LARGE]}},
    }
    assert out_of_range(Command(None, (Line(5),))) == {}
