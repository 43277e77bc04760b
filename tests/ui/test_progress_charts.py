"""The Progress charts read on a 360 px phone: one row a deck, empty days not green."""

from __future__ import annotations

from datetime import date, timedelta

from studygame.services.progress import Accuracy, DayActivity
from studygame.ui import progress_charts as charts

TODAY = date(2026, 11, 25)


def test_empty_days_are_grey_and_a_single_answer_is_green():
    days = [
        DayActivity(day=TODAY - timedelta(days=2), answers=1, correct=1, studied_ms=9, legacy=0)
    ]
    spec = charts.calendar_heatmap(days, today=TODAY).to_dict()
    color = spec["encoding"]["color"]
    # Vega evaluates the condition per day: answered days take the green scale, others the grey.
    assert color["condition"]["test"] == "datum.answers > 0"
    assert color["condition"]["scale"]["range"][0] != "#ffffff"
    assert color["value"] == charts.EMPTY_DAY
    values = spec["datasets"][spec["data"]["name"]]
    assert sum(1 for v in values if v["answers"] == 0) == charts.HEATMAP_DAYS - 1


def test_each_deck_gets_a_row_of_its_own_with_its_name_on_the_bar():
    decks = [
        Accuracy(deck=f"Deck number {n}", topic=None, answers=40, correct=n) for n in range(12)
    ]
    spec = charts.deck_chart(decks).to_dict()
    assert spec["height"] == {"step": charts.DECK_ROW_PX}
    labels = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "text")
    assert labels["encoding"]["text"]["field"] == "label"
    rows = spec["datasets"][spec["data"]["name"]]
    assert rows[3]["label"] == "Deck number 3 · 8% of 40"
    # No axis of names beside the bars: they would take half of a phone's width.
    assert all(layer["encoding"].get("y", {}).get("axis", None) is None for layer in spec["layer"])
