"""Money arithmetic shared by procurement's services and analytics (DESIGN: "Money and quantities
are exact"). A leaf module: it imports nothing of procurement, so neither layer imports the other."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    """``value`` rounded to the cent, half up (as NSPA's contract values are)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
