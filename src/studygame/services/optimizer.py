"""Fit FSRS to the learner's reviews, keep every fit, apply the ones that prove better."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from studygame.domain.memory_model import (
    Metrics,
    ModelFit,
    NotEnoughHistory,
    expected_reviews_per_day,
    fit_memory_model,
    verdict,
)
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
    """What a run of the optimiser found and did; `fit` is None when the history is too short."""

    fit: ModelFit | None
    applied: bool
    reason: str
    needed: int = 0
    due_earlier: int = 0
    due_later: int = 0
    cards_rebuilt: int = 0
    dry_run: bool = False


@dataclass(frozen=True)
class MemoryModelSummary:
    """Progress's "your memory model": current vs default metrics, last fit, reviews a day."""

    personal: bool
    last_fit_at: datetime | None
    applied_at: datetime | None
    current: Metrics | None
    default: Metrics | None
    expected_reviews_per_day: float
    desired_retention: float


def review_histories(session: Session, *, timezone: str) -> list[list[tuple[int, int]]]:
    """Each question's reviews as (rating, local day number): Review-mode and legacy answers."""
    zone = ZoneInfo(timezone)
    rows = session.execute(
        select(Attempt.question_id, Attempt.rating, Attempt.is_correct, Attempt.answered_at)
        .where(
            or_(Attempt.mode == "review", Attempt.source == "legacy"),
            # Cram and speed rounds are practice, not spaced reviews.
            Attempt.mode.not_in(("cram", "speed")),
        )
        .order_by(Attempt.question_id, Attempt.answered_at, Attempt.id)
        .execution_options(yield_per=10_000)
    )
    return [
        [
            (
                replay_rating(rating=row.rating, is_correct=row.is_correct),
                row.answered_at.astimezone(zone).date().toordinal(),
            )
            for row in group
        ]
        for _question, group in groupby(rows, key=lambda row: row.question_id)
    ]


def optimize_schedule(session: Session, *, now: datetime, dry_run: bool = False) -> OptimizeReport:
    """Fit, prove on held-out days, record the fit and (unless dry) apply it when it is better."""
    settings = get_learner_settings(session)
    current = current_parameters(session)
    histories = review_histories(session, timezone=settings.timezone)
    try:
        fit = fit_memory_model(histories, current=current)
    except NotEnoughHistory as exc:
        return OptimizeReport(
            fit=None, applied=False, reason=str(exc), needed=exc.needed, dry_run=dry_run
        )
    apply, reason = verdict(fit, current=current)
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
        f"Fitted on {fit.train_reviews} reviews of your first 80% of days; judged on the "
        f"{fit.test_reviews} reviews of the last 20%, which the fit never saw.",
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
            "default": vars(fit.default),
            "current": vars(fit.current),
            "fitted": vars(fit.fitted),
        },
    }


def memory_model_summary(session: Session) -> MemoryModelSummary:
    """The parameters in use vs the defaults (on their fit's held-out days) and reviews a day."""
    settings = get_learner_settings(session)
    last_fit_at = session.scalar(select(func.max(SchedulerParameters.fitted_at)))
    applied = session.execute(
        latest_applied_fit(
            SchedulerParameters.parameters,
            SchedulerParameters.fitted_at,
            SchedulerParameters.default_log_loss,
            SchedulerParameters.default_rmse,
            SchedulerParameters.fitted_log_loss,
            SchedulerParameters.fitted_rmse,
        )
    ).first()
    parameters = parameters_or_default(None if applied is None else applied.parameters)
    stabilities = session.scalars(
        select(CardState.stability).where(
            CardState.state == REVIEW_STATE, CardState.stability.is_not(None)
        )
    )
    return MemoryModelSummary(
        personal=applied is not None,
        last_fit_at=last_fit_at,
        applied_at=None if applied is None else applied.fitted_at,
        current=None
        if applied is None
        else Metrics(log_loss=applied.fitted_log_loss, rmse_bins=applied.fitted_rmse),
        default=None
        if applied is None
        else Metrics(log_loss=applied.default_log_loss, rmse_bins=applied.default_rmse),
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
