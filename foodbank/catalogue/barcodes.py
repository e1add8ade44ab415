"""JAN/EAN barcodes: JAN-13 and JAN-8 (the same as EAN-13 and EAN-8), with their check digit."""

from __future__ import annotations

import unicodedata

# What people put between the digits of a barcode they type, after NFKC (which has already made the
# full-width hyphen－ (U+FF0D), the small hyphen﹣ and the half-width ｰ into -, - and ー):
# the ASCII hyphen-minus; the dashes of U+2010-2015 (‐ ‑ ‒ – — ―: word processors and fonts turn a
# typed hyphen into them, and ― is the dash of Japanese text); the minus sign − (U+2212: what a
# Japanese IME offers for "-", and what spreadsheets print); and the long vowel mark ー (U+30FC),
# which a Japanese IME in kana mode types for the "-" key.
SEPARATORS = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc")


def check_digit(body: str) -> int:
    """GS1 check digit for the digits before it: weights 3,1,3,... from the right."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def is_valid(code: str) -> bool:
    return len(code) in (8, 13) and code.isascii() and code.isdigit() and check_digit(code[:-1]) == int(code[-1])


def normalise(raw: str) -> str:
    """What a scanner or a person typed: full-width digits made ASCII (NFKC), spaces of any width and
    hyphens, dashes, minus signs and the long vowel mark dropped. Anything else is kept, so that
    `is_valid` refuses it."""
    return "".join(c for c in unicodedata.normalize("NFKC", raw) if not c.isspace() and c not in SEPARATORS)
