"""Barcodes as scanners, keyboards, Japanese IMEs and printed labels give them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from foodbank.catalogue.barcodes import check_digit, is_valid, normalise

CODE = "4901234567894"


@pytest.mark.parametrize(
    "typed",
    [
        "4901234567894",
        "４９０１２３４５６７８９４",  # full-width digits (IME in full-width mode)
        "４９０１－２３４５６７－８９４",  # full-width hyphen U+FF0D, as the README promises
        "4901-234567-894",
        "4901‐234567‑894",  # U+2010 hyphen, U+2011 non-breaking hyphen
        "4901‒234567–894",  # U+2012 figure dash, U+2013 en dash
        "4901—234567―894",  # U+2014 em dash, U+2015 horizontal bar (the dash of Japanese text)
        "4901−234567−894",  # U+2212 minus sign
        "４９０１ー２３４５６７ー８９４",  # U+30FC: the "-" key of an IME in kana mode
        "4901ｰ234567ｰ894",  # U+FF70 half-width long vowel mark
        "4901﹣234567﹣894",  # U+FE63 small hyphen-minus
        " 4901 234567\u3000894\t",  # ASCII, ideographic and other spaces
        "4901\u00a0234567\u2009894",  # no-break and thin space (copied from a web page)
    ],
)
def test_what_people_type_is_the_barcode(typed: str) -> None:
    assert normalise(typed) == CODE
    assert is_valid(normalise(typed))


@pytest.mark.parametrize("typed", ["4901234567890", "4901234a67894", "49012345678", "4901_234567_894", "٤٩٠١٢٣٤٥٦٧٨٩٤"])
def test_anything_else_is_kept_for_is_valid_to_refuse(typed: str) -> None:
    assert not is_valid(normalise(typed))


SEPARATOR = st.sampled_from(["", " ", "-", "－", "‐", "‑", "‒", "–", "—", "―", "−", "ー", "ｰ", "\u3000"])


@given(
    body=st.text(alphabet="0123456789", min_size=7, max_size=7)
    | st.text(alphabet="0123456789", min_size=12, max_size=12),
    full_width=st.lists(st.booleans(), min_size=13, max_size=13),
    separators=st.lists(SEPARATOR, min_size=14, max_size=14),
)
def test_any_mix_of_widths_and_separators_gives_the_code_back(
    body: str, full_width: list[bool], separators: list[str]
) -> None:
    code = body + str(check_digit(body))
    typed = separators[0] + "".join(
        (chr(ord(digit) + 0xFEE0) if wide else digit) + separator
        for digit, wide, separator in zip(code, full_width, separators[1:], strict=False)
    )
    assert normalise(typed) == code and is_valid(code)
