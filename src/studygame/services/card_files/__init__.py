"""Card files (CSV, TSV, Quizlet's export, Anki packages): bytes in, CardFile out; bytes out.

Nothing here touches the database: a page shows what a file holds (and what it would skip)
before the store in services/own_cards.py writes anything.
"""
