"""What went wrong and how to fix it: the shape every error sentence of StudyGame takes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One failure as `message: fix.`; `fix` is empty when there is nothing to suggest."""

    message: str
    fix: str = ""

    def __str__(self) -> str:
        return f"{self.message}: {self.fix}" if self.fix else self.message
