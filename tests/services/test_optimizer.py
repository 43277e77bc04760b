"""The optimiser on Postgres: fit the reviews, keep every fit, apply only what proves better."""

import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select, text

from studygame.cli import optimize
from studygame.domain.attempt import NewAttempt
from studygame.domain.memory_model import MIN_REVIEWS, Refusal
from studygame.domain.modes import Mode
from studygame.domain.rating import Rating
from studygame.domain.scheduling import DEFAULT_PARAMETERS
from studygame.models import Attempt, CardState, SchedulerParameters
from studygame.services.optimizer import (
    describe,
    memory_model_summary,
    optimize_schedule,
    report_as_dict,
    review_histories,
)
from studygame.services.schedule import current_parameters, rebuild_card_states
from studygame.services.study import record_attempt

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
RETENTION = 0.9
CARD_COLUMNS = ("question_id", "state", "stability", "difficulty", "due", "reps", "lapses")


def add_history(session, histories, *, mode="review", source="app"):
    rows = [
        {
            "id": uuid.uuid4(),
            "question_id": f"syn-{n}",
            "deck": "Synthetic",
            "mode": mode,
            "is_correct": rating > 1,
            "rating": rating,
            "points": 0,
            "answered_at": when,
            "source": source,
        }
        for n, history in enumerate(histories)
        for rating, when in history
    ]
    session.execute(insert(Attempt), rows)


@pytest.fixture
def learner(session, synthetic_learner):
    """A learner with 12,000 answers whose memory is not FSRS's average, scheduled by default."""
    add_history(session, synthetic_learner.generate(12_000, seed=4))
    rebuild_card_states(session, desired_retention=RETENTION, now=NOW)
    return session


def card_states(session):
    session.expire_all()
    cards = session.scalars(select(CardState).order_by(CardState.question_id))
    return [tuple(getattr(card, column) for column in CARD_COLUMNS) for card in cards]


def fits(session):
    return session.scalars(select(SchedulerParameters).order_by(SchedulerParameters.id)).all()


def test_a_better_fit_is_applied_kept_and_rebuilds_the_cards_once(learner):
    before = card_states(learner)
    report = optimize_schedule(learner, now=NOW)
    assert report.applied and report.refusal is None, report.reason
    assert report.fit.vs_default.high < 0
    (row,) = fits(learner)
    assert row.applied and row.parameters == list(report.fit.parameters)
    assert (row.default_log_loss, row.fitted_rmse) == (
        report.fit.default.log_loss,
        report.fit.fitted.rmse_bins,
    )
    assert current_parameters(learner) == report.fit.parameters
    after = card_states(learner)
    assert report.cards_rebuilt == len(after) == len(before)
    moved = sum(a[4] != b[4] for a, b in zip(after, before, strict=True))
    assert moved == report.due_earlier + report.due_later > 0
    # The rebuild used the fitted parameters: a second rebuild (current parameters) agrees.
    rebuild_card_states(learner, desired_retention=RETENTION, now=NOW)
    assert card_states(learner) == after


def test_optimizing_twice_applies_nothing_new(learner):
    first = optimize_schedule(learner, now=NOW)
    cards = card_states(learner)
    second = optimize_schedule(learner, now=NOW + timedelta(minutes=1))
    assert first.applied and not second.applied
    assert second.refusal in (Refusal.ALREADY_IN_USE, Refusal.NOT_BETTER), second.reason
    assert current_parameters(learner) == first.fit.parameters
    assert card_states(learner) == cards
    assert [row.applied for row in fits(learner)] == [True, False]


def test_a_dry_run_counts_the_moves_and_changes_nothing(learner):
    cards = card_states(learner)
    report = optimize_schedule(learner, now=NOW, dry_run=True)
    assert report.dry_run and not report.applied
    assert report.due_earlier + report.due_later > 0
    assert fits(learner) == [] and card_states(learner) == cards
    assert current_parameters(learner) == DEFAULT_PARAMETERS
    assert "would come due earlier" in " ".join(describe(report))
    assert report.reason.endswith("It would be applied.")


def test_too_short_a_history_applies_nothing_and_says_how_many_more(session):
    start = NOW - timedelta(days=30)
    add_history(session, [[(Rating.GOOD, start + timedelta(days=d)) for d in range(11)]])
    report = optimize_schedule(session, now=NOW)
    assert report.fit is None and not report.applied
    assert report.needed == MIN_REVIEWS - 10
    assert describe(report) == [report.reason]
    assert f"{MIN_REVIEWS - 10} more reviews" in report.reason
    assert fits(session) == []
    assert report_as_dict(report)["reviews_needed"] == MIN_REVIEWS - 10


@pytest.mark.parametrize("source", ["app", "legacy"])
@pytest.mark.parametrize("mode", list(Mode))
def test_the_fit_learns_from_the_answers_that_move_the_schedule(session, mode, source):
    add_history(
        session,
        [[(Rating.GOOD, NOW), (Rating.GOOD, NOW + timedelta(days=2))]],
        mode=mode,
        source=source,
    )
    histories = review_histories(session, timezone="UTC", now=NOW + timedelta(days=2))
    assert histories == (
        [[(Rating.GOOD, NOW.toordinal()), (Rating.GOOD, NOW.toordinal() + 2)]]
        if mode.moves_schedule
        else []
    )


def without_the_answer_window(session):
    # Rows from before the CHECK on answered_at (or restored by hand) can still be there: the
    # fit must not trust them. Dropped inside the test's transaction, so rolled back after it.
    session.execute(text("ALTER TABLE attempts DROP CONSTRAINT ck_attempts_answered_at_window"))


def test_answers_dated_before_2000_or_in_the_future_and_repeated_writes_are_left_out(session):
    without_the_answer_window(session)
    old = datetime(1999, 12, 31, 23, 0, tzinfo=UTC)
    history = [(Rating.AGAIN, old), (Rating.GOOD, NOW - timedelta(days=3)),
               (Rating.GOOD, NOW - timedelta(days=3)),  # the same answer written twice
               (Rating.GOOD, NOW + timedelta(minutes=5)),  # a device clock a little ahead
               (Rating.AGAIN, NOW + timedelta(days=1))]  # fmt: skip
    add_history(session, [history])
    assert review_histories(session, timezone="UTC", now=NOW) == [
        [(Rating.GOOD, NOW.toordinal() - 3), (Rating.GOOD, NOW.toordinal())]
    ]


def test_a_history_dated_60_days_ahead_is_not_fitted(session, synthetic_learner):
    without_the_answer_window(session)
    ahead = NOW + timedelta(days=60) - synthetic_learner.START
    shifted = [[(r, when + ahead) for r, when in h] for h in synthetic_learner.generate(3000)]
    add_history(session, shifted)
    report = optimize_schedule(session, now=NOW)
    assert report.fit is None and report.refusal is Refusal.TOO_LITTLE_DATA
    assert "your history has 0 reviews" in report.reason
    assert fits(session) == []


def test_an_all_good_history_is_refused_and_moves_no_card(session):
    days = [NOW - timedelta(days=300 - 7 * n) for n in range(40)]
    add_history(session, [[(Rating.GOOD, day) for day in days] for _ in range(40)])
    rebuild_card_states(session, desired_retention=RETENTION, now=NOW)
    cards = card_states(session)
    report = optimize_schedule(session, now=NOW)
    assert report.refusal is Refusal.NO_SIGNAL and not report.applied
    assert report.reason.startswith("No time signal: every answer is Good")
    assert report_as_dict(report)["refusal"] == "no time signal"
    assert fits(session) == [] and card_states(session) == cards


def test_live_answers_follow_the_applied_parameters(learner):
    report = optimize_schedule(learner, now=NOW)
    attempt = NewAttempt(
        id=uuid.uuid4(), session_id=None, question_id="new-card", deck="d", topic=None,
        mode="review", given_answer="x", is_correct=True, rating=Rating.GOOD, response_ms=900,
        points=0, answered_at=NOW,
    )  # fmt: skip
    record_attempt(learner, attempt=attempt, desired_retention=RETENTION)
    # A new card's first stability after Good is the model's w2.
    assert learner.get(CardState, "new-card").stability == pytest.approx(report.fit.parameters[2])


def test_the_memory_model_summary_shows_the_last_fit_on_held_out_reviews(learner):
    before = memory_model_summary(learner)
    assert not before.personal and before.last_fit is None and before.applied_at is None
    assert before.expected_reviews_per_day > 0
    report = optimize_schedule(learner, now=NOW)
    after = memory_model_summary(learner)
    assert after.personal and after.applied_at == NOW
    last = after.last_fit
    assert last.applied and last.fitted_at == NOW and last.reason == report.reason
    assert last.fitted == report.fit.fitted and last.default == report.fit.default
    assert last.test_reviews == report.fit.test_reviews
    assert after.desired_retention == RETENTION
    second = optimize_schedule(learner, now=NOW + timedelta(minutes=1))
    again = memory_model_summary(learner)
    assert again.personal and again.applied_at == NOW
    assert not again.last_fit.applied and again.last_fit.reason == second.reason


def test_the_scheduling_docs_list_every_column_and_option():
    docs = (Path(__file__).resolve().parents[2] / "docs" / "scheduling.md").read_text()
    documented = set(re.findall(r"^\| `(\w+)` \|", docs, flags=re.MULTILINE))
    assert documented == {column.name for column in SchedulerParameters.__table__.columns}
    for option in optimize.params:
        assert f"studygame schedule optimize {option.opts[0]}" in docs
