"""How a page or the CLI says a number of things: "1 card", "2 cards", "12,000 cards"."""

from __future__ import annotations


def counted(n: int, noun: str) -> str:
    """`n` and the noun, plural unless n is 1 (every noun here takes an "s")."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"
