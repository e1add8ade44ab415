"""JAN/EAN barcodes: JAN-13 and JAN-8 (the same as EAN-13 and EAN-8), with their check digit."""

from __future__ import annotations


def check_digit(body: str) -> int:
    """GS1 check digit for the digits before it: weights 3,1,3,... from the right."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def is_valid(code: str) -> bool:
    return len(code) in (8, 13) and code.isascii() and code.isdigit() and check_digit(code[:-1]) == int(code[-1])


def normalise(raw: str) -> str:
    """What a scanner or a person typed: spaces and hyphens dropped, full-width digits made ASCII."""
    table = str.maketrans("０１２３４５６７８９", "0123456789", " -　")
    return raw.translate(table)
