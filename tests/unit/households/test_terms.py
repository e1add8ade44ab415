"""How a typed code and a phone term are read: one rule for the list, booking and check-in."""

from __future__ import annotations

from foodbank.households.queries import normalise_code, phone_digits


def test_codes_are_read_one_way() -> None:
    for typed in ("H-2026-0010", "h-2026-0010", "Ｈ－２０２６－００１０", " H - 2026 - 0010 ", "h‐2026ー0010"):
        assert normalise_code(typed) == "H-2026-0010", typed
    assert normalise_code("００１０") == "0010"
    assert phone_digits("０４７５－１２") == "047512" and phone_digits("0475 12 3456") == "0475123456"
    assert phone_digits("047") is None and phone_digits("山田") is None and phone_digits("H-2026-0010") is None
