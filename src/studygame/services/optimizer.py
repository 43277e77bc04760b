"""Fit FSRS to the learner's reviews, keep every fit, apply the ones that prove better."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import Session

from studygame.domain.answer_time import EARLIEST_ANSWER, MAX_AHEAD
from studygame.domain.days import local_date
from studygame.domain.memory_model import (
    TEST_SHARE,
    FitRefused,
    Metrics,
    ModelFit,
    Refusal,
    expected_reviews_per_day,
    fit_memory_model,
    verdict,
)
from studygame.domain.modes import UNSCHEDULED, values
from studygame.domain.recall_metrics import CONFIDENCE
from studygame.domain.scheduling import replay_rating
from studygame.models import Attempt, CardState, SchedulerParameters
from studygame.services.learner import get_learner_settings
from studygame.services.schedule import (
    current_parameters,
    due_date_changes,
    latest_applied_fit,
    parameters_or_default,
    rebuild_card_states,
)

REVIEW_STATE = 2  # fsrs.State.Review


@dataclass(frozen=True)
class OptimizeReport:
    """What a run of the optimiser found and did; `fit` is None when the history was refused."""

    fit: ModelFit | None
    applied: bool
    reason: str
    # Why it was not applied (None when applied, or when a dry run would apply it).
    refusal: Refusal | None
    needed: int = 0
    due_earlier: int = 0
    due_later: int = 0
    cards_rebuilt: int = 0
    dry_run: bool = False


@dataclass(frozen=True)
class LastFit:
    """The latest fit, applied or not: its held-out figures and the verdict's sentence."""

    fitted_at: datetime
    applied: bool
    test_reviews: int
    default: Metrics
    fitted: Metrics
    reason: str


@dataclass(frozen=True)
class MemoryModelSummary:
    """Progress's "your memory model": the parameters in use, the last fit, reviews a day."""

    personal: bool
    applied_at: datetime | None
    last_fit: LastFit | None
    expected_reviews_per_day: float
    desired_retention: float


def review_histories(
    session: Session, *, timezone: str, now: datetime
) -> list[list[tuple[int, int]]]:
    """Each question's answers that move the schedule, as (rating, local day number).

    Left out: modes that do not move the schedule (the same set the schedule obeys), answers
    dated outside the window an answer can have (before 2000, or ahead of `now`), and all
    but the first of several answers to one question at one instant (a replayed write).
    """
    rows = session.execute(
        select(Attempt.question_id, Attempt.rating, Attempt.is_correct, Attempt.answered_at)
        .where(
            Attempt.mode.not_in(values(UNSCHEDULED)),
            Attempt.answered_at >= EARLIEST_ANSWER,
            Attempt.answered_at <= now + MAX_AHEAD,
        )
        .order_by(Attempt.question_id, Attempt.answered_at, Attempt.id)
        .execution_options(yield_per=10_000)
    )
    histories = []
    for _question, group in groupby(rows, key=lambda row: row.question_id):
        history, previous = [], None
        for row in group:
            if row.answered_at != previous:
                rating = replay_rating(rating=row.rating, is_correct=row.is_correct)
                history.append((rating, local_date(row.answered_at, timezone).toordinal()))
            previous = row.answered_at
        histories.append(history)
    return histories


def optimize_schedule(session: Session, *, now: datetime, dry_run: bool = False) -> OptimizeReport:
    """Fit, prove on held-out days, record the fit and (unless dry) apply it when it is better."""
    settings = get_learner_settings(session)
    current = current_parameters(session)
    histories = review_histories(session, timezone=settings.timezone, now=now)
    try:
        fit = fit_memory_model(histories, current=current)
    except FitRefused as exc:
        return OptimizeReport(
            fit=None,
            applied=False,
            reason=str(exc),
            refusal=exc.refusal,
            needed=exc.needed,
            dry_run=dry_run,
        )
    refusal, reason = verdict(fit, current=current)
    apply = refusal is None
    earlier = later = 0
    if apply:
        reason += " It would be applied." if dry_run else " Applied."
        earlier, later = due_date_changes(
            session, desired_retention=settings.desired_retention, parameters=fit.parameters
        )
    if dry_run:
        return OptimizeReport(
            fit=fit,
            applied=False,
            reason=reason,
            refusal=refusal,
            due_earlier=earlier,
            due_later=later,
            dry_run=True,
        )
    session.add(_record(fit, applied=apply, reason=reason, now=now))
    session.flush()
    rebuilt = 0
    if apply:
        # New parameters move every due date: one rebuild puts the cards where they now belong.
        rebuilt = rebuild_card_states(
            session,
            desired_retention=settings.desired_retention,
            parameters=fit.parameters,
            now=now,
        )
    return OptimizeReport(
        fit=fit,
        applied=apply,
        reason=reason,
        refusal=refusal,
        due_earlier=earlier,
        due_later=later,
        cards_rebuilt=rebuilt,
    )


def describe(report: OptimizeReport) -> list[str]:
    """The report as short sentences for the CLI and the Settings page."""
    if report.fit is None:
        return [report.reason]
    fit = report.fit
    lines = [
        f"Fitted on {fit.train_reviews} reviews of your first {1 - TEST_SHARE:.0%} of days; "
        f"judged on the {fit.test_reviews} reviews ({fit.test_days} days) of the last "
        f"{TEST_SHARE:.0%}, which the fit never saw. On those held-out reviews:",
        f"Default parameters: log loss {fit.default.log_loss:.4f}, "
        f"RMSE {fit.default.rmse_bins:.4f}.",
        f"Fitted parameters: log loss {fit.fitted.log_loss:.4f}, RMSE {fit.fitted.rmse_bins:.4f}.",
        report.reason,
    ]
    if report.dry_run and report.due_earlier + report.due_later:
        lines.append(
            f"Dry run: {report.due_earlier} cards would come due earlier and "
            f"{report.due_later} later; nothing was saved."
        )
    elif report.dry_run:
        lines.append("Dry run: nothing was saved.")
    elif report.applied:
        lines.append(
            f"Rebuilt {report.cards_rebuilt} cards: {report.due_earlier} come due earlier, "
            f"{report.due_later} later."
        )
    return lines


def report_as_dict(report: OptimizeReport) -> dict:
    """The report as plain JSON-ready values (`schedule optimize --json`)."""
    fit = report.fit
    return {
        "applied": report.applied,
        "reason": report.reason,
        "refusal": None if report.refusal is None else report.refusal.value,
        "reviews_needed": report.needed,
        "dry_run": report.dry_run,
        "due_earlier": report.due_earlier,
        "due_later": report.due_later,
        "cards_rebuilt": report.cards_rebuilt,
        "fit": None
        if fit is None
        else {
            "parameters": list(fit.parameters),
            "reviews": fit.reviews,
            "train_reviews": fit.train_reviews,
            "test_reviews": fit.test_reviews,
            "test_days": fit.test_days,
            "default": vars(fit.default),
            "current": vars(fit.current),
            "fitted": vars(fit.fitted),
            # Fitted minus defaults / in use: log loss per held-out review, and its interval.
            "confidence": CONFIDENCE,
            "vs_default": vars(fit.vs_default),
            "vs_current": vars(fit.vs_current),
        },
    }


def memory_model_summary(session: Session) -> MemoryModelSummary:
    """The parameters in use, the last fit's held-out figures and verdict, and reviews a day."""
    settings = get_learner_settings(session)
    last = session.execute(
        select(
            SchedulerParameters.fitted_at,
            SchedulerParameters.applied,
            SchedulerParameters.test_reviews,
            SchedulerParameters.default_log_loss,
            SchedulerParameters.default_rmse,
            SchedulerParameters.fitted_log_loss,
            SchedulerParameters.fitted_rmse,
            SchedulerParameters.reason,
        )
        .order_by(SchedulerParameters.fitted_at.desc(), SchedulerParameters.id.desc())
        .limit(1)
    ).first()
    applied = session.execute(
        latest_applied_fit(SchedulerParameters.parameters, SchedulerParameters.fitted_at)
    ).first()
    parameters = parameters_or_default(None if applied is None else applied.parameters)
    stabilities = session.scalars(
        select(CardState.stability).where(
            CardState.state == REVIEW_STATE, CardState.stability.is_not(None)
        )
    )
    return MemoryModelSummary(
        personal=applied is not None,
        applied_at=None if applied is None else applied.fitted_at,
        last_fit=None
        if last is None
        else LastFit(
            fitted_at=last.fitted_at,
            applied=last.applied,
            test_reviews=last.test_reviews,
            default=Metrics(log_loss=last.default_log_loss, rmse_bins=last.default_rmse),
            fitted=Metrics(log_loss=last.fitted_log_loss, rmse_bins=last.fitted_rmse),
            reason=last.reason,
        ),
        expected_reviews_per_day=expected_reviews_per_day(
            stabilities, desired_retention=settings.desired_retention, parameters=parameters
        ),
        desired_retention=settings.desired_retention,
    )


def _record(fit: ModelFit, *, applied: bool, reason: str, now: datetime) -> SchedulerParameters:
    return SchedulerParameters(
        fitted_at=now,
        parameters=list(fit.parameters),
        reviews_used=fit.reviews,
        train_reviews=fit.train_reviews,
        test_reviews=fit.test_reviews,
        default_log_loss=fit.default.log_loss,
        default_rmse=fit.default.rmse_bins,
        fitted_log_loss=fit.fitted.log_loss,
        fitted_rmse=fit.fitted.rmse_bins,
        applied=applied,
        reason=reason,
    )
