"""counted: one card, two cards, thousands grouped."""

import pytest

from studygame.domain.wording import counted


@pytest.mark.parametrize(
    ("n", "said"), [(0, "0 cards"), (1, "1 card"), (2, "2 cards"), (12_000, "12,000 cards")]
)
def test_a_count_says_its_noun_in_the_right_number(n, said):
    assert counted(n, "card") == said
