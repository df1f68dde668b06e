"""Official documents (文书) generated from the records as PDF, each with a number.

A registry of document kinds: each names its title, the programme whose case it
belongs to, the record it is made from (a leave, a sanction, an assessment), the
state the records must be in, and how it reads. ``generate`` checks the user and
the scope, takes the next number of the unit's per-year, per-kind series from the
numbering service (corrections/numbering.py), renders the PDF, stores it with the attachments'
content-addressed storage (SHA-256, size and key on the row) and records the
audit event last. A stored document is downloaded again as the same file with
the same number (scope checked, checksum verified); generating again is a new
document with a new number.

A sanction's decision or request (训诫决定书, 警告决定书, 提请…建议书) carries the
sanction's own number (``Sanction.document_number``, issued in the document's series
when it was decided): no second number is taken, and generating it
again keeps that number.

The number reads like the paper one: ``示范县矫宣〔2026〕3号`` (the county, the
kind's abbreviation, the year, the serial).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from flask_babel import gettext as _
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle
from sqlalchemy import select

from corrections import clock, numbering
from corrections.assessments.models import Assessment
from corrections.audit.services import record
from corrections.auth.models import User
from corrections.auth.scope import get_in_scope
from corrections.errors import Forbidden, NotFound, RuleViolation, ValidationFailed
from corrections.extensions import db
from corrections.labels import label
from corrections.paperwork import attachments as storage
from corrections.paperwork.models import GeneratedDocument
from corrections.reports.printing import HEAD_BG, INK, china_now, cjk_font
from corrections.reports.printing import build_pdf as _build_pdf
from corrections.reports.printing import cn_date as _cn_date
from corrections.resettlement.models import ResettlementCase
from corrections.supervision.models import CorrectionCase, Leave, Sanction, TeamMember

log = logging.getLogger("corrections")


@dataclass
class Doc:
    """What a renderer gets: the records and the number."""

    kind: DocKind
    number: str
    unit: str
    case: Any  # CorrectionCase, ResettlementCase or Assessment
    record: Any  # Leave, Sanction, Assessment or None
    on: date


@dataclass(frozen=True)
class DocKind:
    code: str
    title: str
    abbrev: str  # in the number: 示范县{abbrev}〔2026〕3号
    programme: str  # correction / resettlement / assessment
    record: type | None  # the record it is made from, by record_id
    check: Callable[[Any, Any], None]
    render: Callable[[Doc, Any], list]
    addressee: str = ""


KINDS: dict[str, DocKind] = {}


def _kind(code, title, abbrev, programme, record_model=None, addressee=""):
    def register(render):
        def decorate(check):
            KINDS[code] = DocKind(
                code, title, abbrev, programme, record_model, check, render, addressee
            )
            return check

        return decorate

    return register


# --- helpers --------------------------------------------------------------------------


def cn_date(day: date | None) -> str:
    return _cn_date(day) if day else "____年__月__日"


def _fail(message: str, code: str = "document_not_applicable") -> None:
    raise RuleViolation(message, code=code)


class _Look:
    """The styles of an official form (公文): a large centred title, 3.2 mm indented body."""

    def __init__(self, font: str):
        def style(name, size, leading, align=TA_LEFT, **kw):
            return ParagraphStyle(
                name,
                fontName=font,
                fontSize=size,
                leading=leading,
                alignment=align,
                textColor=INK,
                wordWrap="CJK",
                **kw,
            )

        self.font = font
        self.issuer = style("issuer", 15, 22, TA_CENTER)
        self.title = style("title", 21, 30, TA_CENTER, spaceBefore=4, spaceAfter=6)
        self.number = style("number", 11, 16, TA_RIGHT)
        self.addressee = style("addressee", 12, 24, spaceBefore=8)
        self.body = style("body", 12, 22, firstLineIndent=24)
        self.plain = style("plain", 12, 22)
        self.sign = style("sign", 12, 22, TA_RIGHT)
        self.cell = style("cell", 10.5, 15)
        self.cell_label = style("cell_label", 10.5, 15, TA_CENTER)
        self.small = style("small", 9, 13)


def _esc(value: Any) -> str:
    text_value = "" if value is None else str(value)
    return text_value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _head(doc: Doc, look: _Look) -> list:
    return [
        Paragraph(_esc(doc.unit), look.issuer),
        Paragraph(_esc(doc.kind.title), look.title),
        Paragraph(_esc(doc.number), look.number),
        Spacer(1, 4 * mm),
    ]


def _paras(look: _Look, *texts: str) -> list:
    return [Paragraph(_esc(t), look.body) for t in texts if t]


def _signature(
    doc: Doc,
    look: _Look,
    *,
    seal: str = "（公章）",
    extra: list | None = None,
    dated: date | None = None,
):
    out = [Spacer(1, 8 * mm)]
    for left in extra or []:
        out.append(Paragraph(_esc(left), look.plain))
    if extra:
        out.append(Spacer(1, 6 * mm))
    out += [
        Paragraph(_esc(doc.unit) + seal, look.sign),
        Paragraph(cn_date(dated or doc.on), look.sign),
    ]
    return [KeepTogether(out)]


def _grid(look: _Look, rows: list[list], widths: list[float], spans=()) -> Table:
    """A ruled form: label cells centred, value cells left; ``None`` continues a span."""
    data = []
    for row in rows:
        cells = []
        for c, value in enumerate(row):
            if value is None:
                cells.append("")
                continue
            style = look.cell_label if c % 2 == 0 and len(row) > 1 else look.cell
            cells.append(Paragraph(_esc(value).replace("\n", "<br/>"), style))
        data.append(cells)
    table = Table(data, colWidths=[w * mm for w in widths])
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.7, INK),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
    ]
    for span in spans:
        commands.append(("SPAN", *span))
    table.setStyle(TableStyle(commands))
    return table


def _person_line(person) -> str:
    age = ""
    if person.birth_date:
        age = f"，{cn_date(person.birth_date)}出生"
    return (
        f"{person.name}，{label('sex', person.sex)}{age}，身份证号码{person.id_number}，"
        f"居住地{person.residence_address or person.household_address or '（未登记）'}。"
    )


def _case_line(case: CorrectionCase, subject: str = "该人员") -> str:
    kind = label("correction_type", case.correction_type)
    body = case.decision_body or "（决定机关）"
    doc_no = f"（{case.decision_document}）" if case.decision_document else ""
    return (
        f"{subject}因犯{case.crime or '（罪名）'}，经{body}{doc_no}判决（裁定、决定）"
        f"{case.sentence or ''}，依法实行社区矫正，矫正类别为{kind}，"
        f"矫正期限自{cn_date(case.term_start)}起至{cn_date(case.term_end)}止。"
    )


def _require_received(case: CorrectionCase, _record) -> None:
    if case.status == "expected" or case.received_on is None:
        _fail(_("该社区矫正对象尚未报到接收，不能制作此文书。"))


def _require_released(case: CorrectionCase, _record) -> None:
    if case.status != "released":
        _fail(_("只有已解除社区矫正的案件可以制作解除文书。"))


def _sanction_check(kind: str, *types: str):
    def check(case: CorrectionCase, sanction: Sanction) -> None:
        if sanction.kind != kind or sanction.is_void:
            _fail(_("所选记录不是有效的%(kind)s。", kind=label("sanction_kind", kind)))
        if sanction.status != "decided":
            _fail(_("只有已作出决定的%(kind)s可以制作文书。", kind=label("sanction_kind", kind)))
        if types and case.correction_type not in types:
            _fail(_("该文书不适用于此矫正类别。"))

    return check


# --- 入矫 ----------------------------------------------------------------------------


def _render_announcement(doc: Doc, look: _Look) -> list:
    case, person = doc.case, doc.case.person
    story = _head(doc, look)
    story += [Paragraph("社区矫正对象：" + _esc(_person_line(person)), look.plain)]
    story += _paras(
        look,
        _case_line(case),
        f"根据《中华人民共和国社区矫正法》及其实施办法的规定，现对{person.name}进行社区矫正宣告。"
        f"该人员于{cn_date(case.received_on)}到{case.station.name}报到，"
        f"由{case.station.name}负责日常监督管理和教育帮扶。",
        "社区矫正期间，社区矫正对象应当遵守法律、行政法规，履行判决、裁定、暂予监外执行决定"
        "等法律文书确定的义务，遵守国务院司法行政部门关于报告、会客、外出、迁居、保外就医等"
        "监督管理规定，服从社区矫正机构的管理。",
        f"禁止令：{case.prohibitions}。" if case.prohibitions else "",
        "社区矫正对象违反监督管理规定的，依法给予训诫、警告，提请公安机关予以治安管理处罚，"
        "或者依法提请撤销缓刑、撤销假释、对暂予监外执行的收监执行。",
        "特此宣告。",
    )
    return story + _signature(
        doc,
        look,
        extra=[
            "宣告人：____________",
            "社区矫正对象（签名、捺印）：____________",
        ],
    )


@_kind("announcement", "社区矫正宣告书", "矫宣", "correction")(_render_announcement)
def _check_announcement(case, record_):
    _require_received(case, record_)


def _team(case: CorrectionCase) -> list[TeamMember]:
    return list(
        db.session.execute(
            select(TeamMember)
            .where(TeamMember.case_id == case.id, TeamMember.removed_on.is_(None))
            .order_by(TeamMember.id)
        ).scalars()
    )


def _render_notice(doc: Doc, look: _Look) -> list:
    case, person = doc.case, doc.case.person
    story = _head(doc, look)
    story.append(Paragraph(_esc(person.name) + "：", look.addressee))
    story += _paras(
        look,
        _case_line(case, "你"),
        "根据《中华人民共和国社区矫正法》及其实施办法，现将社区矫正期间应当遵守的规定和享有的"
        "权利告知如下：",
    )
    story.append(Paragraph("一、应当遵守的规定", look.plain))
    story += _paras(
        look,
        "（一）遵守法律、行政法规，履行判决、裁定、决定确定的义务；",
        "（二）按照规定定期向司法所报告遵纪守法、接受监督管理、参加教育学习、公益活动和社会"
        "活动等情况；发生居所变化、工作变化、家庭重大变故以及接触对其矫正可能产生不利影响人员的，"
        "应当及时报告；",
        "（三）未经批准不得离开所居住的市、县；确需外出的，应当提前提出申请；",
        "（四）变更执行地的，应当提前一个月提出书面申请；",
        "（五）按照要求参加教育学习、公益活动，接受心理辅导；",
        f"（六）遵守禁止令：{case.prohibitions}；" if case.prohibitions else "",
    )
    story.append(Paragraph("二、依法享有的权利", look.plain))
    story += _paras(
        look,
        "社区矫正对象的人身权利、财产权利和其他合法权利不受侵犯；在就业、就学和享受社会保障等"
        "方面不受歧视；对社区矫正机构及其工作人员的违法行为有权申诉、控告和检举；"
        "个人信息和隐私依法受到保护。",
        "违反上述规定的，将依法给予训诫、警告，提请治安管理处罚，或者提请撤销缓刑、假释、"
        "收监执行。",
    )
    team_heading = Paragraph("三、矫正小组成员", look.plain)
    members = _team(case)
    rows = [["姓名", "身份/职务", "性别", "联系电话"]]
    officer = case.officer
    if officer is not None:
        rows.append([officer.label, "司法所工作人员（负责人）", "", ""])
    for m in members:
        rows.append([m.name, m.role, label("sex", m.sex), m.phone])
    if len(rows) == 1:
        rows.append(["（尚未确定）", "", "", ""])
    table = Table(
        [
            [Paragraph(_esc(v), look.cell_label if r == 0 else look.cell) for v in row]
            for r, row in enumerate(rows)
        ],
        colWidths=[34 * mm, 66 * mm, 20 * mm, 44 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.7, INK),
                ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    signature = _signature(
        doc, look, extra=["本人已知悉上述内容。", "社区矫正对象（签名、捺印）：____________"]
    )
    # the team and the signatures stay on one page, whichever page that is
    return story + [KeepTogether([team_heading, Spacer(1, 2 * mm), table, *signature])]


@_kind("notice", "社区矫正告知书", "矫告", "correction")(_render_notice)
def _check_notice(case, record_):
    _require_received(case, record_)


# --- 外出 ----------------------------------------------------------------------------


def _leave_check(approved_only: bool):
    def check(case, leave: Leave) -> None:
        if approved_only and leave.status != "approved":
            _fail(_("只有已批准的外出申请可以开具外出证明。"))

    return check


def _render_leave_form(doc: Doc, look: _Look) -> list:
    case, leave, person = doc.case, doc.record, doc.case.person
    decision = {"approved": "同意", "refused": "不同意"}.get(leave.status)
    tier = label("leave_tier", leave.tier) if leave.tier else ""
    blank = "\n\n签名：__________　　　　年　　月　　日"

    def opinion(level: str) -> str:
        if decision and (leave.tier == "station") == (level == "station"):
            return f"{decision}\n\n签名：__________　{cn_date(leave.decided_on)}"
        if decision and level == "station":
            return "同意，报县级社区矫正机构审批。" + blank
        if leave.tier == "station" and level == "county":
            return "（在司法所审批权限内，无需报批）"
        return blank

    rows = [
        ["姓名", person.name, "性别", label("sex", person.sex)],
        ["身份证号", person.id_number, "矫正类别", label("correction_type", case.correction_type)],
        ["矫正期限", f"{cn_date(case.term_start)}至{cn_date(case.term_end)}", None, None],
        ["居住地", person.residence_address or person.household_address, None, None],
        ["外出事由", f"{label('leave_reason', leave.reason)}　{leave.reason_detail}", None, None],
        ["外出目的地", leave.destination, None, None],
        [
            "外出时间",
            f"{cn_date(leave.starts_on)}至{cn_date(leave.ends_on)}，"
            f"共{(leave.ends_on - leave.starts_on).days + 1}日",
            None,
            None,
        ],
        ["申请日期", cn_date(leave.applied_on), "审批层级", tier],
        ["司法所意见", opinion("station"), None, None],
        ["县级社区矫正机构意见", opinion("county"), None, None],
    ]
    spans = [((1, r), (3, r)) for r in (2, 3, 4, 5, 6, 8, 9)]
    story = _head(doc, look)
    story.append(_grid(look, rows, [34, 58, 30, 52], spans))
    story.append(Spacer(1, 4 * mm))
    story.append(
        Paragraph("注：本表一式两份，一份存入社区矫正对象档案，一份由司法所留存。", look.small)
    )
    return story


@_kind("leave_approval", "社区矫正对象外出审批表", "矫外审", "correction", Leave)(
    _render_leave_form
)
def _check_leave_approval(case, leave):
    _leave_check(False)(case, leave)


def _render_leave_certificate(doc: Doc, look: _Look) -> list:
    case, leave, person = doc.case, doc.record, doc.case.person
    story = _head(doc, look)
    story += _paras(
        look,
        f"兹有社区矫正对象{person.name}（{label('sex', person.sex)}，身份证号码{person.id_number}），"
        f"矫正类别{label('correction_type', case.correction_type)}，"
        f"矫正期限自{cn_date(case.term_start)}起至{cn_date(case.term_end)}止，"
        f"因{label('leave_reason', leave.reason)}{('（' + leave.reason_detail + '）') if leave.reason_detail else ''}，"
        f"经批准于{cn_date(leave.starts_on)}至{cn_date(leave.ends_on)}前往{leave.destination}。",
        "外出期间，该社区矫正对象应当遵守社区矫正监督管理规定，按要求报告情况，"
        "并于外出期满时立即返回，向司法所报告。",
        "请沿途及目的地有关单位予以查验。",
        "特此证明。",
    )
    return story + _signature(doc, look)


@_kind("leave_certificate", "社区矫正对象外出证明", "矫外证", "correction", Leave)(
    _render_leave_certificate
)
def _check_leave_certificate(case, leave):
    _leave_check(True)(case, leave)


# --- 奖惩 ----------------------------------------------------------------------------


def _sanction_decision(verb: str, basis: str):
    def render(doc: Doc, look: _Look) -> list:
        case, sanction, person = doc.case, doc.record, doc.case.person
        story = _head(doc, look)
        story.append(Paragraph("社区矫正对象：" + _esc(_person_line(person)), look.plain))
        story += _paras(
            look,
            _case_line(case),
            f"经查：{sanction.reason}",
            f"调查核实情况：{sanction.investigation}" if sanction.investigation else "",
            f"以上事实清楚，证据确实。根据{basis}的规定，决定给予{person.name}{verb}。",
            "社区矫正对象对本决定不服的，可以自收到本决定书之日起向本机构提出申辩。"
            "望你认真吸取教训，严格遵守社区矫正监督管理规定。",
        )
        return story + _signature(
            doc,
            look,
            extra=["社区矫正对象（签收）：____________　　　　年　　月　　日"],
            dated=sanction.decided_on,
        )

    return render


_BASIS = "《中华人民共和国社区矫正法》第二十八条及《社区矫正法实施办法》第三十五条"


@_kind("admonition_decision", "训诫决定书", "矫训", "correction", Sanction)(
    _sanction_decision("训诫", _BASIS)
)
def _check_admonition(case, sanction):
    _sanction_check("admonition")(case, sanction)


@_kind("warning_decision", "警告决定书", "矫警", "correction", Sanction)(
    _sanction_decision(
        "警告", "《中华人民共和国社区矫正法》第二十八条及《社区矫正法实施办法》第三十六条"
    )
)
def _check_warning(case, sanction):
    _sanction_check("warning")(case, sanction)


def _request_render(ask: str, basis: str, to_label: str):
    def render(doc: Doc, look: _Look) -> list:
        case, sanction, person = doc.case, doc.record, doc.case.person
        addressee = doc.kind.addressee or case.decision_body or to_label
        story = _head(doc, look)
        story.append(Paragraph(_esc(addressee) + "：", look.addressee))
        story.append(Paragraph("社区矫正对象：" + _esc(_person_line(person)), look.plain))
        story += _paras(
            look,
            _case_line(case),
            f"该社区矫正对象在社区矫正期间有下列违法违规行为：{sanction.reason}",
            f"调查核实情况：{sanction.investigation}" if sanction.investigation else "",
            f"根据{basis}的规定，建议{ask}。",
            "此致",
        )
        story.append(Paragraph(_esc(addressee), look.plain))
        return story + _signature(
            doc,
            look,
            extra=["附件：相关证据材料____份", "抄送：县人民检察院"],
        )

    return render


@_kind(
    "police_penalty_request",
    "提请治安管理处罚建议书",
    "矫提罚",
    "correction",
    Sanction,
    addressee="县公安局",
)(
    _request_render(
        "对该社区矫正对象依法给予治安管理处罚",
        "《中华人民共和国社区矫正法》第二十八条、《中华人民共和国治安管理处罚法》第六十条",
        "公安机关",
    )
)
def _check_police(case, sanction):
    _sanction_check("police_penalty_request")(case, sanction)


@_kind("revocation_probation", "提请撤销缓刑建议书", "矫撤缓", "correction", Sanction)(
    _request_render(
        "依法撤销该社区矫正对象的缓刑",
        "《中华人民共和国刑法》第七十七条、《中华人民共和国社区矫正法》第四十六条",
        "原判人民法院",
    )
)
def _check_revoke_probation(case, sanction):
    _sanction_check("revocation_request", "probation")(case, sanction)


@_kind("revocation_parole", "提请撤销假释建议书", "矫撤假", "correction", Sanction)(
    _request_render(
        "依法撤销该社区矫正对象的假释",
        "《中华人民共和国刑法》第八十六条、《中华人民共和国社区矫正法》第四十六条",
        "原裁定人民法院",
    )
)
def _check_revoke_parole(case, sanction):
    _sanction_check("revocation_request", "parole")(case, sanction)


@_kind("custody_request", "收监执行建议书", "矫收", "correction", Sanction)(
    _request_render(
        "对该暂予监外执行罪犯依法收监执行",
        "《中华人民共和国刑事诉讼法》第二百六十八条、《中华人民共和国社区矫正法》第四十九条",
        "暂予监外执行决定机关",
    )
)
def _check_custody(case, sanction):
    _sanction_check("custody_request", "temporary_release")(case, sanction)


# --- 解除 ----------------------------------------------------------------------------


def _release_reason(case: CorrectionCase) -> str:
    if case.end_reason == "pardon":
        return "经特赦"
    return "矫正期满"


def _render_release_announcement(doc: Doc, look: _Look) -> list:
    case, person = doc.case, doc.case.person
    story = _head(doc, look)
    story += [Paragraph("社区矫正对象：" + _esc(_person_line(person)), look.plain)]
    story += _paras(
        look,
        _case_line(case),
        f"该社区矫正对象在社区矫正期间，{_release_reason(case)}，"
        f"依照《中华人民共和国社区矫正法》第四十四条的规定，"
        f"于{cn_date(case.ended_on)}解除社区矫正。",
        f"现予宣告：社区矫正对象{person.name}社区矫正期满，依法解除社区矫正。"
        if case.end_reason != "pardon"
        else f"现予宣告：社区矫正对象{person.name}依法解除社区矫正。",
        "对判处管制的，宣布执行期满，解除管制；对宣告缓刑的，缓刑考验期满，原判刑罚不再执行；"
        "对裁定假释的，假释考验期满，原判刑罚执行完毕。",
    )
    return story + _signature(
        doc, look, extra=["宣告人：____________", "社区矫正对象（签名、捺印）：____________"]
    )


@_kind("release_announcement", "解除社区矫正宣告书", "矫解宣", "correction")(
    _render_release_announcement
)
def _check_release_announcement(case, record_):
    _require_released(case, record_)


def _render_release_certificate(doc: Doc, look: _Look) -> list:
    case, person = doc.case, doc.case.person
    story = _head(doc, look)
    story += _paras(
        look,
        _person_line(person),
        _case_line(case),
        f"该人员于{cn_date(case.received_on)}在{case.station.name}接受社区矫正，"
        f"{_release_reason(case)}，于{cn_date(case.ended_on)}依法解除社区矫正。",
        "特此证明。",
    )
    return story + _signature(doc, look, extra=["本证明书一式三份，本人、档案、原决定机关各一份。"])


@_kind("release_certificate", "解除社区矫正证明书", "矫解证", "correction")(
    _render_release_certificate
)
def _check_release_certificate(case, record_):
    _require_released(case, record_)


def _release_notice(addressee: str | None):
    def render(doc: Doc, look: _Look) -> list:
        case, person = doc.case, doc.case.person
        to = addressee or case.decision_body or "社区矫正决定机关"
        story = _head(doc, look)
        story.append(Paragraph(_esc(to) + "：", look.addressee))
        story += _paras(
            look,
            f"社区矫正对象{_person_line(person)}",
            _case_line(case),
            f"该社区矫正对象{_release_reason(case)}，我局已于{cn_date(case.ended_on)}依法"
            f"解除社区矫正，并向其发放解除社区矫正证明书。",
            "根据《中华人民共和国社区矫正法》第四十四条的规定，特此通知。",
        )
        return story + _signature(doc, look)

    return render


@_kind("release_notice_court", "解除社区矫正通知书（决定机关）", "矫解通", "correction")(
    _release_notice(None)
)
def _check_release_notice_court(case, record_):
    _require_released(case, record_)


@_kind("release_notice_procuratorate", "解除社区矫正通知书（检察院）", "矫解检", "correction")(
    _release_notice("县人民检察院")
)
def _check_release_notice_procuratorate(case, record_):
    _require_released(case, record_)


@_kind("release_notice_police", "解除社区矫正通知书（公安机关）", "矫解公", "correction")(
    _release_notice("县公安局")
)
def _check_release_notice_police(case, record_):
    _require_released(case, record_)


# --- 调查评估 -------------------------------------------------------------------------


def _render_assessment(doc: Doc, look: _Look) -> list:
    a: Assessment = doc.case
    story = _head(doc, look)
    body = a.commissioning_body or "委托机关"
    story.append(Paragraph(_esc(body) + "：", look.addressee))
    opinion = label("opinion", a.opinion)
    proposed = label("correction_type", a.proposed_type) if a.proposed_type else "社区矫正"
    story += _paras(
        look,
        f"受你单位委托，我局于{cn_date(a.received_on)}对被告人（罪犯）{a.name}"
        f"（身份证号码{a.id_number or '（未登记）'}）涉嫌{a.crime or '（罪名）'}一案"
        f"适用{proposed}进行了调查评估。",
        "经调查走访其居住地村（居）民委员会、家庭成员、所在单位及被害人等，"
        "综合其居所情况、家庭和社会关系、一贯表现、犯罪行为的后果和影响等因素，评估意见如下：",
        f"{a.name}{opinion}。",
        f"说明：{a.opinion_note}" if a.opinion_note else "",
        "此致",
    )
    story.append(Paragraph(_esc(body), look.plain))
    return story + _signature(doc, look, dated=a.completed_on)


@_kind("assessment_opinion", "调查评估意见书", "矫评", "assessment")(_render_assessment)
def _check_assessment(assessment, record_):
    if assessment.completed_on is None or not assessment.opinion:
        _fail(_("调查评估尚未完成，不能制作意见书。"))


# --- 安置帮教 -------------------------------------------------------------------------


def _render_handover(doc: Doc, look: _Look) -> list:
    case: ResettlementCase = doc.case
    person = case.person
    rows = [
        ["姓名", person.name, "性别", label("sex", person.sex)],
        ["身份证号", person.id_number, "出生日期", cn_date(person.birth_date)],
        ["户籍地", person.household_address, None, None],
        ["居住地", person.residence_address, None, None],
        ["释放类别", label("rs_source", case.source), "原服刑场所", case.facility],
        ["罪名", case.crime, "原判刑罚", case.sentence],
        ["通知书收到日期", cn_date(case.notice_received_on), "释放日期", cn_date(case.released_on)],
        [
            "核查结果",
            label("verification_result", case.verification_result) or "（未核查）",
            "核查日期",
            cn_date(case.verified_on),
        ],
        [
            "衔接方式",
            label("handover_method", case.handover_method) or "（未衔接）",
            "衔接日期",
            cn_date(case.handed_over_on),
        ],
        [
            "重点帮教对象",
            ("是：" + case.key_reason) if case.is_key else "否",
            "帮教期满",
            cn_date(case.period_ends_on),
        ],
        ["帮教建议", case.recommendation or "", None, None],
        ["接收司法所", case.station.name, "帮教责任人", case.officer.label if case.officer else ""],
        ["备注", "\n", None, None],
    ]
    spans = [((1, r), (3, r)) for r in (2, 3, 10, 12)]
    story = _head(doc, look)
    story.append(_grid(look, rows, [34, 54, 32, 54], spans))
    story.append(Spacer(1, 10 * mm))
    story.append(
        Paragraph("登记人：____________　　　　刑满释放人员（签名）：____________", look.plain)
    )
    return story + _signature(doc, look)


@_kind("handover_register", "刑满释放人员衔接登记表", "帮衔", "resettlement")(_render_handover)
def _check_handover(case, record_):
    if case.released_on is None:
        _fail(_("该人员尚未释放，不能制作衔接登记表。"))


def _render_agreement(doc: Doc, look: _Look) -> list:
    case: ResettlementCase = doc.case
    person = case.person
    story = _head(doc, look)
    story += [
        Paragraph(f"甲方（帮教单位）：{_esc(case.station.name)}", look.plain),
        Paragraph(
            f"乙方（帮教对象）：{_esc(person.name)}，身份证号码{_esc(person.id_number)}", look.plain
        ),
        Spacer(1, 2 * mm),
    ]
    story += _paras(
        look,
        f"乙方因犯{case.crime or '（罪名）'}被判处{case.sentence or '（刑罚）'}，"
        f"于{cn_date(case.released_on)}"
        f"{'解除社区矫正' if case.source == 'correction' else '刑满释放'}，帮教期至{cn_date(case.period_ends_on)}止。"
        "为帮助乙方顺利融入社会，双方自愿签订本协议：",
        "一、甲方确定帮教责任人，定期走访乙方，了解其思想、生活和就业情况，"
        "协调落实临时救助、最低生活保障、技能培训和就业推荐等帮扶措施。",
        "二、乙方应当遵纪守法，如实向甲方反映本人情况，居住地、联系方式变更时及时告知甲方，"
        "积极参加帮教活动。",
        "三、帮教期满，本协议自动终止；帮教期间乙方再次违法犯罪的，本协议终止。",
        "四、本协议一式两份，甲乙双方各执一份，自签订之日起生效。",
    )
    officer = case.officer.label if case.officer else "____________"
    story.append(Spacer(1, 10 * mm))
    sig = Table(
        [
            [
                Paragraph("甲方（盖章）：", look.plain),
                Paragraph("乙方（签名、捺印）：", look.plain),
            ],
            [Paragraph(f"帮教责任人：{_esc(officer)}", look.plain), Paragraph("", look.plain)],
            [Paragraph(cn_date(doc.on), look.plain), Paragraph(cn_date(doc.on), look.plain)],
        ],
        colWidths=[87 * mm, 87 * mm],
    )
    story.append(sig)
    return story


@_kind("assistance_agreement", "安置帮教协议书", "帮协", "resettlement")(_render_agreement)
def _check_agreement(case, record_):
    if case.status not in ("active", "ended") or case.handed_over_on is None:
        _fail(_("该人员尚未衔接，不能签订帮教协议。"))


# --- the service ---------------------------------------------------------------------

_PROGRAMME_MODELS = {
    "correction": CorrectionCase,
    "resettlement": ResettlementCase,
    "assessment": Assessment,
}


def kind_for(code: str) -> DocKind:
    kind = KINDS.get(code)
    if kind is None:
        raise NotFound(_("没有这种文书。"))
    return kind


def _id(value: Any, name: str) -> int:
    from corrections.inputs import parse_id

    if value is None or value == "":
        raise ValidationFailed(_("请提供有效的编号。"), fields={name: _("必填")})
    number = parse_id(value)
    if number is None:
        raise ValidationFailed(_("请提供有效的编号。"), fields={name: _("无效")})
    return number


def generate(
    actor: User, kind_code: str, case_id: Any, record_id: Any = None
) -> tuple[GeneratedDocument, bytes]:
    """Number, render and log one document; the caller commits."""
    kind = kind_for(kind_code)
    if not actor.can_write:
        raise Forbidden(_("只读账号不能制作文书（制作文书会占用文书编号）。"))
    case = get_in_scope(_PROGRAMME_MODELS[kind.programme], _id(case_id, "case_id"), actor)
    rec = None
    if kind.record is not None:
        rec = db.session.get(kind.record, _id(record_id, "record_id"))
        if rec is None or rec.case_id != case.id:
            raise NotFound(_("记录不存在。"))
    kind.check(case, rec)
    today = clock.today()
    unit = case.station.unit
    document = GeneratedDocument(
        unit_id=unit.id,
        kind=kind.code,
        year=today.year,
        number="",
        programme=kind.programme,
        case_id=case.id,
        record_id=rec.id if rec is not None else None,
        generated_by_id=actor.id,
        generated_at=clock.now_utc(),
    )
    if isinstance(rec, Sanction):
        document.number = _sanction_number(actor, case, rec)
        document.year = (rec.decided_on or today).year
        document.serial = None
        db.session.add(document)
    else:
        db.session.add(document)
        db.session.flush()
        issued = numbering.issue(
            unit,
            numbering.Series(kind.code, kind.abbrev),
            today.year,
            subject="generated_document",
            subject_id=document.id,
            actor=actor,
        )
        document.serial, document.number = issued.serial, issued.number
    db.session.flush()
    pdf = render(Doc(kind, document.number, unit.name, case, rec, today))
    document.storage_key, document.sha256, document.size, _type = storage.put(io.BytesIO(pdf))
    db.session.flush()
    record(
        actor,
        "document.generate",
        "generated_document",
        document.id,
        None,
        {
            "kind": kind.code,
            "number": document.number,
            "programme": kind.programme,
            "case_id": case.id,
            "record_id": document.record_id,
            "sha256": document.sha256,
            "size": document.size,
        },
    )
    return document, pdf


def _sanction_number(actor: User, case: CorrectionCase, sanction: Sanction) -> str:
    """The sanction's own number; one decided before numbers were kept gets its number now
    (in the sanction's series, so the sanction and its document still share one)."""
    from corrections.supervision.services import number_sanction

    return number_sanction(actor, case, sanction)


def get_for(user: User, document_id: Any) -> GeneratedDocument:
    """The generated document if its case is in the user's scope (404 otherwise)."""
    from corrections.inputs import parse_id

    number = parse_id(document_id)  # an id that cannot exist (0, -1) is as missing as any
    document = db.session.get(GeneratedDocument, number) if number is not None else None
    if document is None or document.programme not in _PROGRAMME_MODELS:
        raise NotFound(_("记录不存在，或不在您的管辖范围内。"))
    get_in_scope(_PROGRAMME_MODELS[document.programme], document.case_id, user)
    return document


def _require_unmasked(user: User, document: GeneratedDocument) -> None:
    """A document as issued carries the full name and ID number: it is not given to a
    user who sees them masked (a minor's case for a viewer, docs/domain.md §7.2)."""
    from corrections.people import privacy

    case = db.session.get(_PROGRAMME_MODELS[document.programme], document.case_id)
    if case is not None and privacy.protected(user, getattr(case, "person_id", None)):
        raise Forbidden(
            _("未成年人案件的文书载有姓名和身份证号码，只读账号不能下载；请联系县局主管。")
        )


def open_for_download(user: User, document_id: Any) -> tuple[GeneratedDocument, IO[bytes]]:
    """(document, its bytes) of the PDF as generated, after the scope and checksum checks."""
    document = get_for(user, document_id)
    _require_unmasked(user, document)
    if not document.storage_key:
        raise NotFound(_("该文书制作时未保存文件，请重新生成。"), code="document_not_stored")
    if not storage.verify(document):
        log.error("generated document %s: file missing or checksum mismatch", document.id)
        raise storage.ChecksumMismatch(_("文书文件缺失或已损坏（校验和不符），请联系管理员。"))
    return document, storage.open_stored(document)


def record_download(user: User, document: GeneratedDocument) -> None:
    """Who read which document (the 检察院 may ask): one audit event per download."""
    record(
        user,
        "document.download",
        "generated_document",
        document.id,
        None,
        {
            "kind": document.kind,
            "number": document.number,
            "programme": document.programme,
            "case_id": document.case_id,
            "sha256": document.sha256,
        },
    )


def render(doc: Doc) -> bytes:
    font = cjk_font()
    look = _Look(font.name)
    story = doc.kind.render(doc, look)
    person_name = getattr(doc.case, "name", None) or doc.case.person.name
    return _build_pdf(
        story,
        font=font.name,
        title=f"{doc.kind.title} {doc.number}",
        header=f"{doc.kind.title}　{doc.number}　{person_name}",
        generated=china_now(),
        subject=doc.kind.title,
    )


def case_in_scope(actor: User, programme: str, case_id: Any):
    """The correction case, resettlement case or assessment, if in the user's scope."""
    model = _PROGRAMME_MODELS.get(programme)
    if model is None:
        raise NotFound(_("记录不存在。"))
    return get_in_scope(model, _id(case_id, "case_id"), actor)


def documents_of(actor: User, programme: str, case_id: Any) -> list[GeneratedDocument]:
    """The documents generated for a case in the user's scope, newest first."""
    case = case_in_scope(actor, programme, case_id)
    return list(
        db.session.execute(
            select(GeneratedDocument)
            .where(GeneratedDocument.programme == programme, GeneratedDocument.case_id == case.id)
            .order_by(GeneratedDocument.id.desc())
        ).scalars()
    )


def kinds_for(programme: str) -> list[DocKind]:
    return [k for k in KINDS.values() if k.programme == programme]


def generated_for(programme: str, case, limit: int = 50) -> list[tuple[GeneratedDocument, str]]:
    """(document, generator's username) of a case already in scope, newest first."""
    rows = list(
        db.session.execute(
            select(GeneratedDocument)
            .where(GeneratedDocument.programme == programme, GeneratedDocument.case_id == case.id)
            .order_by(GeneratedDocument.id.desc())
            .limit(limit)
        ).scalars()
    )
    ids = {r.generated_by_id for r in rows}
    names = (
        dict(db.session.execute(select(User.id, User.username).where(User.id.in_(ids))).all())
        if ids
        else {}
    )
    return [(r, names.get(r.generated_by_id, "")) for r in rows]


def links_for(programme: str, case) -> list[tuple[str, str, int | None, str, bool]]:
    """(kind, title, record_id, note, made) of every document the case's records allow now;
    ``made`` tells whether one was generated already (the link then reads 重新生成)."""
    made = set(
        db.session.execute(
            select(GeneratedDocument.kind, GeneratedDocument.record_id).where(
                GeneratedDocument.programme == programme, GeneratedDocument.case_id == case.id
            )
        ).all()
    )
    out = []
    for kind in kinds_for(programme):
        records = [None]
        if kind.record is not None:
            records = list(
                db.session.execute(
                    select(kind.record)
                    .where(kind.record.case_id == case.id)
                    .order_by(kind.record.id)
                ).scalars()
            )
        for rec in records:
            try:
                kind.check(case, rec)
            except RuleViolation:
                continue
            note = ""
            if isinstance(rec, Leave):
                note = f"{cn_date(rec.starts_on)}—{rec.destination}"
            elif isinstance(rec, Sanction):
                note = cn_date(rec.decided_on)
            record_id = rec.id if rec is not None else None
            out.append((kind.code, kind.title, record_id, note, (kind.code, record_id) in made))
    return out
