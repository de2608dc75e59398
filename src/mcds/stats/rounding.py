"""Rounding as official statistics round: halves up, exactly (never Python's ``round``,
which rounds halves to even)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

__all__ = ["fmt", "round_count", "round_half_up"]


def round_half_up(value: Fraction | int, places: int) -> Decimal:
    """``value`` rounded to ``places`` decimal places, halves away from zero."""
    q = Fraction(value)
    with localcontext() as ctx:
        ctx.prec = 80  # a quotient of counts is never within 1e-60 of a half without being one
        exact = Decimal(q.numerator) / Decimal(q.denominator)
        return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def round_count(value: int, base: int) -> int:
    """A count rounded to the nearest multiple of ``base``, halves up (``base`` 1: unchanged)."""
    if base == 1:
        return value
    return int((Decimal(value) / base).quantize(Decimal(1), rounding=ROUND_HALF_UP)) * base


def fmt(value: Decimal) -> str:
    """A rounded value as published: fixed point, never exponent notation, never ``-0``."""
    text = format(value, "f")
    return text[1:] if text.startswith("-") and Decimal(text) == 0 else text
