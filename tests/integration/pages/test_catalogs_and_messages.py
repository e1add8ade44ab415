"""The catalogs are complete, and messages (of forms, services and problem details) are translated.
No database is needed here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from foodbank.lib.errors import Forbidden
from foodbank.lib.messages import Label, Message
from foodbank.pages import i18n
from foodbank.pages.i18n import Translator, choose_language, describe_error, parse_accept_language
from foodbank.stock.dates import LabelDateError, parse_label_date
from foodbank.stock.errors import LotUnavailable

REPO = Path(__file__).resolve().parents[3]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def extracted_msgids() -> set[str]:
    with (i18n.LOCALE_DIR / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    return {
        message if isinstance(message, str) else message[0]
        for _, _, message, *_ in extract_from_dir(str(REPO), method_map, options_map)
    }


def catalog(lang: str):  # type: ignore[no-untyped-def]
    with (i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=lang)


def test_every_string_of_the_pages_is_in_the_catalogs_and_translated_to_japanese() -> None:
    wanted = extracted_msgids()
    ja = {(m.id if isinstance(m.id, str) else m.id[0]): m for m in catalog("ja") if m.id}
    en = {(m.id if isinstance(m.id, str) else m.id[0]) for m in catalog("en") if m.id}
    missing = sorted(wanted - set(ja))
    assert not missing, f"run pybabel extract/update (README, Web pages); not in the catalogs: {missing}"
    assert not sorted(wanted - en), "run pybabel update for en too"

    def translated(msgid: str) -> bool:
        strings = ja[msgid].string if isinstance(ja[msgid].string, tuple) else (ja[msgid].string,)
        return all(strings) and not ja[msgid].fuzzy

    untranslated = sorted(msgid for msgid in wanted if not translated(msgid))
    assert not untranslated, f"translate these in ja/LC_MESSAGES/messages.po: {untranslated}"


def test_translations_keep_their_placeholders() -> None:
    for message in catalog("ja"):
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        expected = set(PLACEHOLDER.findall(ids[0])) | ({"num"} if len(ids) > 1 else set())
        for text in filter(None, strings):  # untranslated ones are the other test's business
            assert set(PLACEHOLDER.findall(text)) <= expected | {"num"}, (ids[0], text)
            assert set(PLACEHOLDER.findall(text)) >= set(PLACEHOLDER.findall(ids[0])) - {"num"}, (ids[0], text)


@pytest.mark.parametrize(
    ("cookie", "header", "expected"),
    [
        (None, None, "ja"),
        (None, "en-US,en;q=0.9", "en"),
        (None, "fr-FR, en;q=0.5, ja;q=0.8", "ja"),
        (None, "fr, de", "ja"),
        ("en", "ja", "en"),
        ("xx", "en", "en"),
        (None, "en;q=0, ja", "ja"),
    ],
)
def test_the_language_of_a_request(cookie: str | None, header: str | None, expected: str) -> None:
    assert choose_language(cookie, header) == expected


def test_accept_language_is_ordered_by_quality() -> None:
    assert parse_accept_language("ja;q=0.5, en-GB, fr;q=0.9") == ["en-gb", "fr", "ja"]


def test_service_messages_are_translated_from_their_msgid_and_values_never_from_their_english() -> None:
    ja = Translator("ja")
    with pytest.raises(LabelDateError, match="month") as raised:
        parse_label_date("2027-13")
    assert ja.message(raised.value.message) == "13 月はありません。"
    zones = Message(
        "%(item)s is %(item_zone)s stock; location %(location)s is %(location_zone)s.",
        item="さば缶",
        item_zone=Label("zone", "ambient"),
        location="C-01",
        location_zone=Label("zone", "chilled"),
    )
    assert ja.message(zones) == "さば缶 は常温の品目ですが、保管場所 C-01 は冷蔵です。"
    assert ja.message("Missing data for required field.") == "入力してください。", "marshmallow's own msgids"
    # English text is not read back into a msgid and values any more (the regular expressions are gone).
    assert ja.message("There is no month 13.") == "There is no month 13."
    assert ja.message("Something nobody translated.") == "Something nobody translated."
    assert Translator("en").message(raised.value.message) == "There is no month 13."


def test_problem_details_become_a_title_and_a_detail_in_the_language() -> None:
    ja = Translator("ja")
    conflict = describe_error(ja, LotUnavailable(Message("The lot is not on hold.")))
    assert (conflict.title, conflict.detail, conflict.status) == (
        "このロットはこの用途に使えません。",
        "このロットは保留中ではありません。",
        409,
    )
    refused = describe_error(
        Translator("en"), Forbidden(Message("Your role does not allow this. Allowed: %(roles)s.", roles=["admin"]))
    )
    assert refused.title == "Your role does not allow this page or action." and refused.detail is None
