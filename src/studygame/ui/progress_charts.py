"""Altair charts for the Progress page, sized to stay readable on a 390 px wide phone.

Each chart function imports altair and pandas itself: together they take 0.5 s or more to
import on a cold server, and the page (and Settings, which draws the last fit from here)
must paint before that; Progress's charts fill in after its first paint, and
ui/warm_up.py has usually imported them by then (docs/performance.md).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

import streamlit as st

from studygame.services.optimizer import MemoryModelSummary
from studygame.services.progress import (
    HEATMAP_DAYS,
    Accuracy,
    DayActivity,
    DueDay,
    WeekRetention,
)

if TYPE_CHECKING:
    import altair as alt

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
TIME_DAYS = 30
# Forty bars would be a long scroll on a phone.
DECKS_SHOWN = 12
# A day with no answers must not look like a light day: a faint grey that reads on light
# and dark themes alike, outside the green scale.
EMPTY_DAY = "rgba(128, 128, 128, 0.15)"
# One deck a row, its name written on its own bar: a 360 px phone has no room beside it.
DECK_ROW_PX = 34


def calendar_heatmap(days: list[DayActivity], *, today: date) -> alt.Chart:
    """A year of days, one column a week; days with old-app answers outlined."""
    import altair as alt
    import pandas as pd

    by_day = {d.day: d for d in days}
    rows = []
    for n in range(HEATMAP_DAYS):
        day = today - timedelta(days=HEATMAP_DAYS - 1 - n)
        activity = by_day.get(day)
        week = day - timedelta(days=day.weekday())
        rows.append(
            {
                "day": day.isoformat(),
                "week": pd.Timestamp(week),
                "week_end": pd.Timestamp(week + timedelta(days=7)),
                "weekday": WEEKDAYS[day.weekday()],
                "answers": activity.answers if activity else 0,
                "legacy": activity.legacy if activity else 0,
            }
        )
    return (
        alt.Chart(pd.DataFrame(rows), height=7 * 16)
        .mark_rect(cornerRadius=1)
        .encode(
            x=alt.X("week:T", title=None, axis=alt.Axis(format="%b", tickCount="month")),
            x2="week_end:T",
            y=alt.Y("weekday:O", sort=WEEKDAYS, title=None),
            color=alt.condition(
                "datum.answers > 0",
                alt.Color(
                    "answers:Q",
                    title="answers",
                    # Starts above white so that one answer is visibly green.
                    scale=alt.Scale(scheme="greens", domainMin=0, range=["#c7e9c0", "#00441b"]),
                    legend=None,
                ),
                alt.value(EMPTY_DAY),
            ),
            stroke=alt.condition("datum.legacy > 0", alt.value("#8a5a00"), alt.value(None)),
            tooltip=[
                alt.Tooltip("day:N", title="day"),
                alt.Tooltip("answers:Q"),
                alt.Tooltip("legacy:Q", title="imported (old app, Anki)"),
            ],
        )
    )


def retention_chart(weeks: list[WeekRetention], *, target: float) -> alt.LayerChart:
    """True retention per week as a line, the desired retention as a dashed rule."""
    import altair as alt
    import pandas as pd

    data = pd.DataFrame(
        [
            {"week": pd.Timestamp(w.week), "retention": w.retention, "reviews": w.reviews}
            for w in weeks
        ]
    )
    low = min([target - 0.1, *data["retention"]]) if len(data) else target - 0.1
    scale = alt.Scale(domain=[max(0.0, low), 1.0])
    line = (
        alt.Chart(data, height=180)
        .mark_line(point=True)
        .encode(
            x=alt.X("week:T", title=None, axis=alt.Axis(format="%d %b")),
            y=alt.Y("retention:Q", title=None, scale=scale, axis=alt.Axis(format="%")),
            tooltip=[
                alt.Tooltip("week:T", format="%d %b %Y"),
                alt.Tooltip("retention:Q", format=".0%"),
                alt.Tooltip("reviews:Q"),
            ],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"target": [target]}))
        .mark_rule(strokeDash=[4, 4], color="#d62728")
        .encode(y="target:Q", tooltip=[alt.Tooltip("target:Q", format=".0%", title="target")])
    )
    return line + rule


def forecast_chart(forecast: list[DueDay]) -> alt.Chart:
    """Cards due per day for the coming days, today first (overdue included)."""
    import altair as alt
    import pandas as pd

    data = pd.DataFrame([{"day": pd.Timestamp(d.day), "cards": d.cards} for d in forecast])
    return (
        alt.Chart(data, height=180)
        .mark_bar()
        .encode(
            x=alt.X("day:T", title=None, axis=alt.Axis(format="%d %b")),
            y=alt.Y("cards:Q", title=None),
            tooltip=[alt.Tooltip("day:T", format="%a %d %b"), "cards:Q"],
        )
    )


def time_chart(days: list[DayActivity], *, today: date) -> alt.Chart:
    """Minutes studied per day over the last 30 days."""
    import altair as alt
    import pandas as pd

    by_day = {d.day: d.studied_ms for d in days}
    data = pd.DataFrame(
        [
            {"day": pd.Timestamp(day), "minutes": round(by_day.get(day, 0) / 60_000, 1)}
            for day in (today - timedelta(days=n) for n in range(TIME_DAYS - 1, -1, -1))
        ]
    )
    return (
        alt.Chart(data, height=160)
        .mark_bar()
        .encode(
            x=alt.X("day:T", title=None, axis=alt.Axis(format="%d %b")),
            y=alt.Y("minutes:Q", title=None),
            tooltip=[alt.Tooltip("day:T", format="%a %d %b"), "minutes:Q"],
        )
    )


def deck_chart(decks: list[Accuracy]) -> alt.LayerChart:
    """Accuracy per deck, weakest on top: one row a deck, its name and figures on the bar."""
    import altair as alt
    import pandas as pd

    data = pd.DataFrame(
        [
            {
                "deck": d.deck,
                "accuracy": d.accuracy,
                "answers": d.answers,
                "label": f"{d.deck} · {d.accuracy:.0%} of {d.answers:,}",
            }
            for d in decks
        ]
    )
    base = alt.Chart(data, height=alt.Step(DECK_ROW_PX)).encode(
        y=alt.Y("deck:N", sort=None, title=None, axis=None),
        tooltip=["deck:N", alt.Tooltip("accuracy:Q", format=".0%"), "answers:Q"],
    )
    track = base.mark_bar(color="#8884", size=DECK_ROW_PX - 8).encode(
        x=alt.datum(1), x2=alt.datum(0)
    )
    bars = base.mark_bar(size=DECK_ROW_PX - 8).encode(
        x=alt.X(
            "accuracy:Q",
            title=None,
            scale=alt.Scale(domain=[0, 1]),
            axis=alt.Axis(format="%", tickCount=4, grid=False),
        ),
        color=alt.Color(
            "accuracy:Q",
            scale=alt.Scale(domain=[0.5, 0.9], range=["#e8a13a", "#3a9d5d"], clamp=True),
            legend=None,
        ),
    )
    # Names ride on the bars: a y-axis of names would take half of a 360 px screen.
    labels = base.mark_text(align="left", dx=6, fontSize=13, fontWeight="bold").encode(
        x=alt.datum(0), text="label:N"
    )
    return alt.layer(track, bars, labels)


def render_memory_model(model: MemoryModelSummary) -> None:
    """Progress's "your memory model": reviews a day, the parameters in use, the last fit."""
    per_day = model.expected_reviews_per_day
    st.metric(
        f"Expected reviews a day at {model.desired_retention:.0%} retention",
        f"{per_day:.0f}" if per_day >= 10 else f"{per_day:.1f}",
        help="In the long run, from your cards in review: each comes back once per interval.",
    )
    render_last_fit(model)


def render_last_fit(model: MemoryModelSummary) -> None:
    """The parameters in use, and the last fit: applied or not, its held-out figures, and why."""
    in_use = (
        f"Your schedule uses your own parameters, fitted on {model.applied_at:%Y-%m-%d}."
        if model.applied_at
        else "Your schedule uses FSRS's default parameters."
    )
    last = model.last_fit
    if last is None:
        st.caption(
            in_use + " Settings → *Fit my memory model* fits them to your reviews once you "
            "have enough."
        )
        return
    st.caption(
        f"{in_use} Last fit {last.fitted_at:%Y-%m-%d}: "
        f"{'applied' if last.applied else 'not applied'}. Measured on its "
        f"{last.test_reviews} held-out reviews (the last fifth of your days, which the fit "
        "never saw): lower predicts your memory better."
    )
    rows = [("FSRS defaults", last.default), ("fitted", last.fitted)]
    st.dataframe(
        [{"parameters": name, "log loss": m.log_loss, "RMSE": m.rmse_bins} for name, m in rows],
        hide_index=True,
        column_config={
            "log loss": st.column_config.NumberColumn(format="%.4f"),
            "RMSE": st.column_config.NumberColumn(format="%.4f"),
        },
    )
    # The verdict's own sentence: the interval of the gain, or the exact reason it was refused.
    (st.success if last.applied else st.info)(last.reason)
