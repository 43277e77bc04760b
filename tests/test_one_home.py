"""A rule has one home: no module but its own spells a mode, compares a rating with a number
or works out a local day by hand. Revisions are left out: they must keep their own values.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from studygame.domain.modes import Mode

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted(
    [*(ROOT / "src" / "studygame").rglob("*.py"), ROOT / "Home.py", *(ROOT / "pages").glob("*.py")]
)
# A string that happens to equal a mode's value but is not one, with the reason.
NOT_A_MODE = {("ui/bank.py", "flashcards"): "the label of the flashcard question type"}


def relative(path: Path) -> str:
    """The path as the allow-list names it: under the package, or under the repository."""
    for base in (ROOT / "src" / "studygame", ROOT):
        if path.is_relative_to(base):
            return path.relative_to(base).as_posix()
    return path.name


def mode_strings(path: Path) -> list[str]:
    """The string constants in `path` that spell a mode, leaving out `__all__` lists."""
    tree = ast.parse(path.read_text())
    exported = {
        id(element)
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
        for element in ast.walk(node.value)
    }
    values = {mode.value for mode in Mode}
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and node.value in values
        and id(node) not in exported
        and (relative(path), node.value) not in NOT_A_MODE
    ]


@pytest.mark.parametrize("path", SOURCES, ids=relative)
def test_modes_are_spelled_only_in_domain_modes(path):
    if relative(path) == "domain/modes.py":
        return
    assert mode_strings(path) == []


RATING_AS_NUMBER = re.compile(
    r"rating\w*\s*(==|!=|<=|>=|<|>)\s*\d|\d\s*(==|!=|<=|>=|<|>)\s*\w*rating|rating=\d"
)
LOCAL_DAY_BY_HAND = re.compile(r"ZoneInfo\(|datetime\.combine\(|\.date\(\)\.toordinal")


@pytest.mark.parametrize("path", SOURCES, ids=relative)
def test_ratings_are_compared_only_as_the_rating_enum(path):
    if relative(path) == "domain/rating.py":
        return
    assert RATING_AS_NUMBER.findall(path.read_text()) == []


@pytest.mark.parametrize("path", SOURCES, ids=relative)
def test_local_days_are_worked_out_only_in_domain_days(path):
    if relative(path) == "domain/days.py":
        return
    assert LOCAL_DAY_BY_HAND.findall(path.read_text()) == []


def test_the_checks_would_find_what_they_look_for(tmp_path):
    # The greps are only worth something if they catch the thing: one line of each kind.
    sample = tmp_path / "sample.py"
    sample.write_text('if mode == "cram" and rating >= 3:\n    zone = ZoneInfo(tz)\n')
    assert mode_strings(sample) == ["cram"]
    assert RATING_AS_NUMBER.search(sample.read_text())
    assert LOCAL_DAY_BY_HAND.search(sample.read_text())
