"""The order a run asks its questions in: seeded, cut to length; mcq choices shuffled."""

from studygame.domain.questions import Question
from studygame.domain.selection import draw, interleave_decks, shuffled_choices


def question(qid, deck, topic, kind="typed", choices=()):
    return Question(
        id=qid,
        deck=deck,
        topic=topic,
        tags=(),
        type=kind,
        prompt="?",
        choices=choices,
        answer="a",
        accepted=(),
        explanation=None,
        difficulty=None,
    )


BANK = [
    question("g1", "Geo", "Capitals"),
    question("g2", "Geo", "Rivers", "mcq", ("a", "b", "c")),
    question("g3", "Geo", "Capitals", "flashcard"),
    question("s1", "Sci", "Cells", "truefalse", ("True", "False")),
    question("s2", "Sci", "Atoms"),
]


def test_the_seed_fixes_the_order_and_length_cuts_it():
    first = [q.id for q in draw(BANK, seed=7)]
    assert sorted(first) == ["g1", "g2", "g3", "s1", "s2"]
    assert [q.id for q in draw(BANK, seed=7)] == first
    assert {tuple(q.id for q in draw(BANK, seed=s)) for s in range(20)} != {tuple(first)}
    assert [q.id for q in draw(BANK, seed=7, length=2)] == first[:2]
    assert draw([], seed=1, length=5) == []


def test_mcq_choices_are_shuffled_by_seed_and_true_false_is_not():
    mcq = question("m", "Geo", None, "mcq", tuple("abcdef"))
    orders = {shuffled_choices(mcq, seed=s) for s in range(10)}
    assert len(orders) > 1 and all(sorted(o) == list("abcdef") for o in orders)
    assert shuffled_choices(mcq, seed=3) == shuffled_choices(mcq, seed=3)
    assert shuffled_choices(BANK[3], seed=3) == ("True", "False")


def test_new_cards_take_turns_across_decks_in_bank_order():
    bank = [*BANK, question("h1", "History", None), question("g4", "Geo", "Rivers")]
    assert [q.id for q in interleave_decks(bank)] == ["g1", "s1", "h1", "g2", "s2", "g3", "g4"]
    assert interleave_decks([]) == []
    assert [q.id for q in interleave_decks(BANK[:3])] == ["g1", "g2", "g3"]
