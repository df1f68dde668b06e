"""The papers of a sanction (奖惩, docs/domain.md §3.8): the decision of an admonition or a
warning, and the requests sent to the police, the court or the deciding organ; each carries
the sanction's own number (``Sanction.document_number``)."""

from __future__ import annotations

from reportlab.platypus import Paragraph

from corrections.paperwork.documents import forms
from corrections.supervision.models import Sanction


def _investigation(sanction: Sanction) -> str:
    return f"调查核实情况：{sanction.investigation}" if sanction.investigation else ""


def _sanction_decision(verb: str, basis: str):
    def render(doc: forms.Doc, look: forms.Look) -> list:
        sanction, person = doc.record, doc.case.person
        story = forms.opening(
            doc,
            look,
            f"经查：{sanction.reason}",
            _investigation(sanction),
            f"以上事实清楚，证据确实。根据{basis}的规定，决定给予{person.name}{verb}。",
            "社区矫正对象对本决定不服的，可以自收到本决定书之日起向本机构提出申辩。"
            "望你认真吸取教训，严格遵守社区矫正监督管理规定。",
        )
        return story + forms.signature(
            doc,
            look,
            receipt=forms.served("决定书"),
            dated=sanction.decided_on,
        )

    return render


def _request_render(ask: str, basis: str, to_label: str):
    def render(doc: forms.Doc, look: forms.Look) -> list:
        sanction = doc.record
        addressee = doc.kind.addressee or doc.case.decision_body or to_label
        story = forms.opening(
            doc,
            look,
            f"该社区矫正对象在社区矫正期间有下列违法违规行为：{sanction.reason}",
            _investigation(sanction),
            f"根据{basis}的规定，建议{ask}。",
            "此致",
            addressee=addressee,
        )
        story.append(Paragraph(forms.esc(addressee), look.plain))
        return story + forms.signature(
            doc,
            look,
            before=["附件：相关证据材料____份"],
            after=["抄送：县人民检察院"],
        )

    return render


_LAW = "《中华人民共和国社区矫正法》"

# (code, title, abbrev, sanction kind, correction types, addressee, render), in the order the
# papers are listed.
_PAPERS = [
    (
        "admonition_decision",
        "训诫决定书",
        "矫训",
        "admonition",
        (),
        "",
        _sanction_decision("训诫", f"{_LAW}第二十八条及《社区矫正法实施办法》第三十五条"),
    ),
    (
        "warning_decision",
        "警告决定书",
        "矫警",
        "warning",
        (),
        "",
        _sanction_decision("警告", f"{_LAW}第二十八条及《社区矫正法实施办法》第三十六条"),
    ),
    (
        "police_penalty_request",
        "提请治安管理处罚建议书",
        "矫提罚",
        "police_penalty_request",
        (),
        "县公安局",
        _request_render(
            "对该社区矫正对象依法给予治安管理处罚",
            f"{_LAW}第二十八条、《中华人民共和国治安管理处罚法》第六十条",
            "公安机关",
        ),
    ),
    (
        "revocation_probation",
        "提请撤销缓刑建议书",
        "矫撤缓",
        "revocation_request",
        ("probation",),
        "",
        _request_render(
            "依法撤销该社区矫正对象的缓刑",
            f"《中华人民共和国刑法》第七十七条、{_LAW}第四十六条",
            "原判人民法院",
        ),
    ),
    (
        "revocation_parole",
        "提请撤销假释建议书",
        "矫撤假",
        "revocation_request",
        ("parole",),
        "",
        _request_render(
            "依法撤销该社区矫正对象的假释",
            f"《中华人民共和国刑法》第八十六条、{_LAW}第四十六条",
            "原裁定人民法院",
        ),
    ),
    (
        "custody_request",
        "收监执行建议书",
        "矫收",
        "custody_request",
        ("temporary_release",),
        "",
        _request_render(
            "对该暂予监外执行罪犯依法收监执行",
            f"《中华人民共和国刑事诉讼法》第二百六十八条、{_LAW}第四十九条",
            "暂予监外执行决定机关",
        ),
    ),
]

for _code, _title, _abbrev, _sanction_kind, _types, _addressee, _render in _PAPERS:
    forms.paper(_code, _title, _abbrev, "correction", Sanction, addressee=_addressee)(_render)(
        forms.sanction_check(_sanction_kind, *_types)
    )
