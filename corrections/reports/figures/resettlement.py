"""The figures of 安置帮教 (docs/domain.md §5, §7.7): notices, handovers, visits, help given
and the register at the period's end, each counted at the case's station."""

from __future__ import annotations

from corrections.people.models import Person
from corrections.reports.figures.source import N_, Figure, Source
from corrections.reports.figures.sql import RC, key_at, rc_on_register
from corrections.resettlement.models import Assistance, ResettlementContact


def _of_case(model, on, where_of, per=None):
    """Records of a resettlement case (``model`` has ``case_id``) meeting ``where_of(s, e)``,
    dated by ``on``, counted at the case's station."""
    return lambda s, e: Source(
        model,
        RC.station_id,
        tuple(where_of(s, e)),
        frm=model.__table__.join(RC.__table__, RC.id == model.case_id),
        per=per,
        on=on,
    )


def _visits(s, e):
    contact = ResettlementContact
    return (
        contact.voided_at.is_(None),
        contact.occurred_on.between(s, e),
        contact.kind.in_(("field_visit", "report_in_person")),
    )


def _rs_assisted(kind=None):
    def where(s, e):
        of_kind = [Assistance.kind == kind] if kind else []
        return (Assistance.voided_at.is_(None), Assistance.given_on.between(s, e), *of_kind)

    return _of_case(Assistance, Assistance.given_on, where, per=RC.person_id)


def _rc(where_of, on=None, frm=None):
    """A resettlement-case figure: ``where_of(s, e)`` gives the conditions."""
    return lambda s, e: Source(RC, RC.station_id, tuple(where_of(s, e)), frm=frm, on=on)


FIGURES: list[Figure] = [
    Figure(
        "rs.notices_received",
        "period",
        N_("收到刑满释放人员通知书"),
        N_("人"),
        _rc(lambda s, e: [RC.notice_received_on.between(s, e)], on=RC.notice_received_on),
    ),
    Figure(
        "rs.handed_over",
        "period",
        N_("衔接"),
        N_("人"),
        _rc(lambda s, e: [RC.handed_over_on.between(s, e)], on=RC.handed_over_on),
    ),
    Figure(
        "rs.escorted",
        "period",
        N_("必接必送"),
        N_("人"),
        _rc(
            lambda s, e: [RC.handed_over_on.between(s, e), RC.handover_method == "escorted"],
            on=RC.handed_over_on,
        ),
    ),
    Figure(
        "rs.contacts_in_person",
        "period",
        N_("见面核查、上门走访"),
        N_("人次"),
        _of_case(ResettlementContact, ResettlementContact.occurred_on, _visits),
    ),
    Figure(
        "rs.assisted",
        "period",
        N_("救助帮扶"),
        N_("人"),
        _rs_assisted(),
        True,
    ),
    Figure(
        "rs.subsistence",
        "period",
        N_("纳入低保"),
        N_("人"),
        _rs_assisted("subsistence"),
        True,
    ),
    Figure(
        "rs.employment",
        "period",
        N_("推荐就业"),
        N_("人"),
        _rs_assisted("employment"),
        True,
    ),
    Figure(
        "rs.ended",
        "period",
        N_("解除帮教"),
        N_("人"),
        _rc(lambda s, e: [RC.ended_on.between(s, e)], on=RC.ended_on),
    ),
    Figure(
        "rs.on_register",
        "stock",
        N_("在册安置帮教对象"),
        N_("人"),
        _rc(lambda s, e: [rc_on_register(e)], on=RC.released_on),
    ),
    Figure(
        "rs.on_register_key",
        "stock",
        N_("其中重点安置帮教对象"),
        N_("名"),
        _rc(lambda s, e: [rc_on_register(e), key_at(e).is_(True)], on=RC.released_on),
    ),
    Figure(
        "rs.on_register_gang",
        "stock",
        N_("其中涉黑涉恶人员"),
        N_("名"),
        _rc(
            lambda s, e: [rc_on_register(e), Person.flag_gang.is_(True)],
            on=RC.released_on,
            frm=RC.__table__.join(Person.__table__, Person.id == RC.person_id),
        ),
    ),
    Figure(
        "rs.overdue",
        "stock",
        N_("逾期未走访"),
        N_("人"),
    ),
]
