"""How long loading the question bank takes: the bundled decks, and a large collection's parse.

Prints figures; asserts nothing. Run: .venv/bin/python bench/content_load.py [N]
(N synthetic MongoDB-shaped documents, default 20000; the network read is not included).
"""

from __future__ import annotations

import statistics
import sys
import time

from bson import ObjectId

from studygame.config import Settings
from studygame.services.content import build_bank, load_bank

TYPES = (
    {"options": ["a", "b", "c", "d"], "correct_index": 2},
    {"answer": True},
    {"answer": "Paris", "aliases": ["paris city"]},
    {"front": "el perro", "back": "the dog"},
)


def synthetic_documents(n: int) -> list[dict]:
    """n documents in the Atlas shape, every type and a few aliases, 1 in 100 broken."""
    docs = []
    for i in range(n):
        doc = {"_id": ObjectId(), "set": f"Deck {i % 12}", "category": f"Topic {i % 40}"}
        doc["question"] = f"Question number {i}?"
        doc.update(TYPES[i % 4])
        if i % 100 == 99:
            doc["question"] = ""
        docs.append(doc)
    return docs


def timings_ms(runs: int, action) -> list[float]:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    settings = Settings(_env_file=None)
    bundled = timings_ms(20, lambda: load_bank(settings))
    bank = load_bank(settings)
    ms = statistics.median(bundled)
    print(f"bundled decks: {len(bank.questions)} questions, load median {ms:.1f} ms")

    docs = synthetic_documents(n)
    parse = timings_ms(5, lambda: build_bank("bench", docs))
    big = build_bank("bench", docs)
    ms = statistics.median(parse)
    print(
        f"{n} documents: {len(big.questions)} questions, {len(big.skipped)} skipped, "
        f"parse median {ms:.0f} ms ({ms / n * 1000:.1f} µs/doc)"
    )
    lookup = timings_ms(5, lambda: [big.by_id[q.id] for q in big.questions])
    print(f"by_id lookup of all {n}: median {statistics.median(lookup):.1f} ms")


if __name__ == "__main__":
    main()
