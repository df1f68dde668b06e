"""The papers of the end of a correction (解除): the announcement, the certificate and the
notices to the deciding organ, the procuratorate and the police."""

from __future__ import annotations

from reportlab.platypus import Paragraph

from corrections.paperwork.documents import forms
from corrections.supervision.models import CorrectionCase


def _release_reason(case: CorrectionCase) -> str:
    if case.end_reason == "pardon":
        return "经特赦"
    return "矫正期满"


def _render_release_announcement(doc: forms.Doc, look: forms.Look) -> list:
    case = doc.case
    expiry = "社区矫正期满，" if case.end_reason != "pardon" else ""
    announced = (
        f"该社区矫正对象在社区矫正期间，{_release_reason(case)}，"
        f"依照《中华人民共和国社区矫正法》第四十四条的规定，"
        f"于{forms.cn_date(case.ended_on)}解除社区矫正。"
    )
    story = forms.opening(
        doc,
        look,
        announced,
        f"现予宣告：社区矫正对象{case.person.name}{expiry}依法解除社区矫正。",
        _RELEASE_EFFECT.get(case.correction_type, ""),
    )
    return story + forms.signature(doc, look, receipt=forms.announced())


# What the end of the term means, by the case's type (one of them, never the list).
_RELEASE_EFFECT = {
    "control": "管制执行期满，依法解除管制。",
    "probation": "缓刑考验期满，原判刑罚不再执行。",
    "parole": "假释考验期满，视为原判刑罚已经执行完毕。",
    "temporary_release": "暂予监外执行期间刑期届满，原判刑罚执行完毕。",
}


forms.paper("release_announcement", "解除社区矫正宣告书", "矫解宣", "correction")(
    _render_release_announcement
)(forms.require_released)


def _render_release_certificate(doc: forms.Doc, look: forms.Look) -> list:
    case, person = doc.case, doc.case.person
    story = forms.head(doc, look)
    story += forms.paras(
        look,
        forms.person_line(person),
        forms.case_line(case),
        f"该人员于{forms.cn_date(case.received_on)}在{case.station.name}接受社区矫正，"
        f"{_release_reason(case)}，于{forms.cn_date(case.ended_on)}依法解除社区矫正。",
        "特此证明。",
    )
    return story + forms.signature(
        doc,
        look,
        after=["本证明书一式三份，本人、档案、原决定机关各一份。"],
        receipt=forms.served("证明书", "解除社区矫正人员"),
    )


forms.paper("release_certificate", "解除社区矫正证明书", "矫解证", "correction")(
    _render_release_certificate
)(forms.require_released)


def _release_notice(addressee: str | None):
    def render(doc: forms.Doc, look: forms.Look) -> list:
        case, person = doc.case, doc.case.person
        to = addressee or case.decision_body or "社区矫正决定机关"
        story = forms.head(doc, look)
        story.append(Paragraph(forms.esc(to) + "：", look.addressee))
        story += forms.paras(
            look,
            f"社区矫正对象{forms.person_line(person)}",
            forms.case_line(case),
            f"该社区矫正对象{_release_reason(case)}，我局已于{forms.cn_date(case.ended_on)}依法"
            f"解除社区矫正，并向其发放解除社区矫正证明书。",
            "根据《中华人民共和国社区矫正法》第四十四条的规定，特此通知。",
        )
        return story + forms.signature(doc, look)

    return render


# The notice of the release goes to the deciding organ, the procuratorate and the police.
for _code, _to, _abbrev, _addressee in (
    ("release_notice_court", "决定机关", "矫解通", None),
    ("release_notice_procuratorate", "检察院", "矫解检", "县人民检察院"),
    ("release_notice_police", "公安机关", "矫解公", "县公安局"),
):
    forms.paper(
        _code,
        f"解除社区矫正通知书（{_to}）",
        _abbrev,
        "correction",
        heading="解除社区矫正通知书",
    )(_release_notice(_addressee))(forms.require_released)
