"""How long a 10,000-card import takes, from the file's bytes to the committed cards.

Usage: .venv/bin/python bench/card_import.py [CARDS] [RUNS]   (default 10000 cards, 3 runs)
Each run imports into a fresh database (studygame_bench_<random>, dropped at the end), then
imports the same file again (the idempotent path: every card already there).
TEST_DATABASE_URL picks the server (default postgresql://root@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

from studygame import migrations
from studygame.config import Settings, normalize_database_url
from studygame.db import make_engine, scratch_database, session_scope
from studygame.domain.card_drafts import CardFile
from studygame.services.card_files import read_card_file
from studygame.services.card_files.anki_write import write_anki_package
from studygame.services.card_files.bank_json import write_bank_json
from studygame.services.own_cards import import_cards

ADMIN_URL = normalize_database_url(
    os.environ.get("TEST_DATABASE_URL", "postgresql://root@127.0.0.1:5432/postgres")
)
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def quizlet_export(cards: int) -> bytes:
    """A Quizlet set as its export writes it: term, a tab, definition, one card a line."""
    return "".join(
        f"Term {n}: what is {n} in Spanish words?\tLa respuesta número {n}\n" for n in range(cards)
    ).encode()


def anki_package(cards: int) -> bytes:
    """An .apkg of `cards` Basic-style notes, as `studygame cards export --format apkg` writes."""
    return write_anki_package(
        (
            (f"bench-{n}", {"deck": "Bench::Spanish", "type": "flashcard", "prompt": f"Word {n}",
                            "answer": f"Palabra número {n}", "tags": ["bench"]})
            for n in range(cards)
        ),
        {},
    )  # fmt: skip


def bank_json(cards: int) -> bytes:
    """`cards` bank documents as mongoexport --jsonArray writes them."""
    return write_bank_json(
        (f"bench-{n}", {"deck": "Bench", "prompt": f"{n} + {n}?", "answer": str(2 * n)})
        for n in range(cards)
    )


def timed(step: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = step()
    return time.perf_counter() - started, result


def one_run(name: str, data: bytes) -> dict[str, float]:
    with scratch_database(ADMIN_URL, prefix="studygame_bench") as url:
        engine = make_engine(Settings(database_url=url))
        try:
            migrations.upgrade(engine)
            read_s, card_file = timed(lambda: read_card_file(name, data, deck="Bench"))
            assert isinstance(card_file, CardFile)

            def store() -> int:
                with session_scope(engine) as session:
                    return import_cards(session, card_file, now=NOW).added

            store_s, added = timed(store)
            again_s, added_again = timed(store)
            assert (added, added_again) == (len(card_file.drafts), 0), (added, added_again)
        finally:
            engine.dispose()
    return {"read": read_s, "store": store_s, "total": read_s + store_s, "again": again_s}


def main(cards: int, runs: int) -> None:
    files = {
        "Quizlet export (.txt)": ("set.txt", quizlet_export(cards)),
        "Anki package (.apkg)": ("deck.apkg", anki_package(cards)),
        "bank JSON (.json)": ("questions.json", bank_json(cards)),
    }
    print(f"{cards:,} cards, {runs} runs each; p50 (max) in seconds")
    print("| file | read | store + commit | total | same file again |")
    print("|---|---|---|---|---|")
    for label, (name, data) in files.items():
        results = [one_run(name, data) for _ in range(runs)]
        cells = [_cell([r[step] for r in results]) for step in ("read", "store", "total", "again")]
        print(f"| {label} | {' | '.join(cells)} |")


def _cell(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({max(values):.2f})"


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 10_000,
        int(sys.argv[2]) if len(sys.argv) > 2 else 3,
    )
