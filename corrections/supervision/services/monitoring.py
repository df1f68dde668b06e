"""Electronic monitoring and 保外就医 medical reviews (docs/domain.md §3.10, §3.11, §7.4)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from corrections import clock
from corrections.auth.models import User
from corrections.core.guards import (
    not_future,
    record_of,
    refuse_overlap,
    require_decider,
    require_writer,
)
from corrections.core.records import add_recorded, recorded_change
from corrections.errors import RuleViolation
from corrections.extensions import db
from corrections.rules import deadlines as deadline_rules
from corrections.rules.tables import deadline
from corrections.supervision import schemas
from corrections.supervision.models import (
    CorrectionCase,
    MedicalReview,
    MonitoringEpisode,
    MonitoringExtension,
)
from corrections.supervision.services.common import not_before_reception, read_on_case, require_open
from corrections.validation import Fields


def _overlap(starts_on: str, until: str) -> str:
    return _(
        "与已有的电子定位（%(s)s 至 %(e)s）时间重叠。请改选日期，或对已有的电子定位办理延长或解除。",
        s=starts_on,
        e=until,
    )


def _check_monitoring_overlap(
    case: CorrectionCase, key: str, starts_on: date, ends_on: date, exclude_id: int | None = None
) -> None:
    """Episodes of one case may not overlap (docs/domain.md §7.4): 422 ``monitoring_overlap``."""
    from corrections.rules import monitoring as monitoring_rules

    rows = db.session.execute(
        select(
            MonitoringEpisode.id,
            MonitoringEpisode.starts_on,
            MonitoringEpisode.ends_on,
            MonitoringEpisode.removed_on,
        ).where(
            MonitoringEpisode.case_id == case.id,
            *([MonitoringEpisode.id != exclude_id] if exclude_id else []),
        )
    ).all()
    spans = [monitoring_rules.EpisodeSpan(*row) for row in rows]
    refuse_overlap(monitoring_rules, spans, starts_on, ends_on, "monitoring_overlap", key, _overlap)


def start_monitoring(actor: User, case: CorrectionCase, data: dict[str, Any]) -> MonitoringEpisode:
    require_decider(actor, _("电子定位须经县局负责人批准，由县局主管登记。"))
    f = Fields(data)
    v = f.read(schemas.MonitoringStart)
    starts_on, ends_on = v.starts_on, v.ends_on
    not_before_reception(f, "starts_on", starts_on, case)
    if starts_on and ends_on:
        limit = deadline_rules.monitoring_max_end(
            starts_on, deadline("monitoring_max_months", starts_on)
        )
        if ends_on < starts_on:
            f.error("ends_on", _("结束日期不能早于开始日期。"))
        elif ends_on > limit:
            f.error(
                "ends_on", _("每次批准最长3个月（至%(d)s），更长须办理延长。", d=limit.isoformat())
            )
    f.raise_if_errors()
    require_open(case, starts_on)
    _check_monitoring_overlap(case, "starts_on", starts_on, ends_on)
    episode = MonitoringEpisode(case_id=case.id, recorded_by_id=actor.id, **v.values())
    return add_recorded(actor, episode, "correction.monitoring_start", "monitoring")


def extend_monitoring(
    actor: User, case: CorrectionCase, episode_id: int, data: dict[str, Any]
) -> MonitoringEpisode:
    from corrections.rules import monitoring as monitoring_rules

    require_decider(actor, _("电子定位延长须经县局负责人批准。"))
    episode = record_of(case, MonitoringEpisode, episode_id)
    f = Fields(data)
    v = f.read(schemas.MonitoringExtension)
    new_end, approved_by, extended_on = v.ends_on, v.approved_by, v.extended_on or clock.today()
    if new_end:
        # Renewable "by up to 3 months": the current end plus 3 months (clamped to month end).
        limit = deadline_rules.monitoring_max_end(
            episode.ends_on, deadline("monitoring_max_months", episode.ends_on)
        )
        if new_end <= episode.ends_on:
            f.error("ends_on", _("延长后的结束日期应晚于%(d)s。", d=episode.ends_on.isoformat()))
        elif new_end > limit:
            f.error("ends_on", _("每次延长最长3个月（至%(d)s）。", d=limit.isoformat()))
    f.raise_if_errors()
    if episode.removed_on is not None:
        raise RuleViolation(_("电子定位已解除。"), code="monitoring_removed")
    if extended_on and monitoring_rules.extension_lapsed(episode.ends_on, extended_on):
        message = _(
            "电子定位已于 %(d)s 到期，不能再延长。如仍需电子定位，请依法定事由重新登记。",
            d=episode.ends_on.isoformat(),
        )
        raise RuleViolation(message, code="monitoring_lapsed", fields={"extended_on": message})
    require_open(case, extended_on)
    _check_monitoring_overlap(case, "ends_on", episode.starts_on, new_end, episode.id)
    with recorded_change(actor, "correction.monitoring_extend", "monitoring", episode):
        db.session.add(
            MonitoringExtension(
                episode_id=episode.id,
                extended_on=extended_on,
                new_ends_on=new_end,
                approved_by=approved_by,
                recorded_by_id=actor.id,
            )
        )
        episode.ends_on = new_end
    return episode


def remove_monitoring(
    actor: User, case: CorrectionCase, episode_id: int, data: dict[str, Any]
) -> MonitoringEpisode:
    require_writer(actor)
    episode = record_of(case, MonitoringEpisode, episode_id)
    f = Fields(data)
    removed_on = f.date("removed_on")
    not_future(f, "removed_on", removed_on)
    if removed_on and removed_on < episode.starts_on:
        f.error("removed_on", _("解除日期不能早于开始日期。"))
    f.raise_if_errors()
    if episode.removed_on is not None:
        raise RuleViolation(_("电子定位已解除。"), code="monitoring_removed")
    with recorded_change(actor, "correction.monitoring_remove", "monitoring", episode):
        episode.removed_on = removed_on
    return episode


def record_medical_review(actor: User, case: CorrectionCase, data: dict[str, Any]) -> MedicalReview:
    require_writer(actor)
    if case.correction_type != "temporary_release" or case.grounds != "medical":
        raise RuleViolation(_("只有保外就医对象需要病情复查。"), code="not_medical")
    f, v, examined_on = read_on_case(data, schemas.MedicalReviewBody, case)
    f.raise_if_errors()
    require_open(case, examined_on)
    review = MedicalReview(case_id=case.id, recorded_by_id=actor.id, **v.values())
    return add_recorded(actor, review, "correction.medical_review", "medical_review")


def medical_review_due(case: CorrectionCase) -> date | None:
    if case.correction_type != "temporary_release" or case.grounds != "medical":
        return None
    if case.received_on is None or case.is_ended:
        return None
    last = db.session.execute(
        select(func.max(MedicalReview.examined_on)).where(
            MedicalReview.case_id == case.id, MedicalReview.voided_at.is_(None)
        )
    ).scalar()
    return deadline_rules.medical_review_due(
        case.received_on, last, deadline("medical_review_months", case.received_on)
    )
