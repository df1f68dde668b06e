"""The papers of the start of a correction (入矫: the announcement and the notice) and of a
leave (外出: the approval form and the certificate)."""

from __future__ import annotations

from flask_babel import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle
from sqlalchemy import select

from corrections.extensions import db
from corrections.labels import label
from corrections.paperwork.documents import forms
from corrections.reports.printing import HEAD_BG, INK
from corrections.supervision.models import CorrectionCase, Leave, TeamMember

# --- 入矫 ----------------------------------------------------------------------------


def _render_announcement(doc: forms.Doc, look: forms.Look) -> list:
    case, person = doc.case, doc.case.person
    story = forms.opening(
        doc,
        look,
        f"根据《中华人民共和国社区矫正法》及其实施办法的规定，现对{person.name}进行社区矫正宣告。"
        f"该人员于{forms.cn_date(case.received_on)}到{case.station.name}报到，"
        f"由{case.station.name}负责日常监督管理和教育帮扶。",
        "社区矫正期间，社区矫正对象应当遵守法律、行政法规，履行"
        f"{forms.sentencing_document(case)}等法律文书确定的义务，遵守国务院司法行政部门关于报告、"
        "会客、外出、迁居、保外就医等监督管理规定，服从社区矫正机构的管理。",
        f"禁止令：{case.prohibitions}。" if case.prohibitions else "",
        "社区矫正对象违反监督管理规定的，依法给予训诫、警告，提请公安机关予以治安管理处罚"
        f"{forms.escalation(case, '，或者依法')}。",
        "特此宣告。",
    )
    return story + forms.signature(
        doc,
        look,
        receipt=forms.announced(),
    )


forms.paper("announcement", "社区矫正宣告书", "矫宣", "correction")(_render_announcement)(
    forms.require_received
)


def _team(case: CorrectionCase) -> list[TeamMember]:
    return list(
        db.session.execute(
            select(TeamMember)
            .where(TeamMember.case_id == case.id, TeamMember.removed_on.is_(None))
            .order_by(TeamMember.id)
        ).scalars()
    )


def _render_notice(doc: forms.Doc, look: forms.Look) -> list:
    case, person = doc.case, doc.case.person
    story = forms.head(doc, look)
    story.append(Paragraph(forms.esc(person.name) + "：", look.addressee))
    story += forms.paras(
        look,
        forms.case_line(case, "你"),
        "根据《中华人民共和国社区矫正法》及其实施办法，现将社区矫正期间应当遵守的规定和享有的"
        "权利告知如下：",
    )
    story.append(Paragraph("一、应当遵守的规定", look.plain))
    story += forms.paras(
        look,
        f"（一）遵守法律、行政法规，履行{forms.sentencing_document(case)}确定的义务；",
        "（二）按照规定定期向司法所报告遵纪守法、接受监督管理、参加教育学习、公益活动和社会"
        "活动等情况；发生居所变化、工作变化、家庭重大变故以及接触对其矫正可能产生不利影响人员的，"
        "应当及时报告；",
        "（三）未经批准不得离开所居住的市、县；确需外出的，应当提前提出申请；",
        "（四）变更执行地的，应当提前一个月提出书面申请；",
        "（五）按照要求参加教育学习、公益活动，接受心理辅导；",
        f"（六）遵守禁止令：{case.prohibitions}；" if case.prohibitions else "",
    )
    story.append(Paragraph("二、依法享有的权利", look.plain))
    story += forms.paras(
        look,
        "社区矫正对象的人身权利、财产权利和其他合法权利不受侵犯；在就业、就学和享受社会保障等"
        "方面不受歧视；对社区矫正机构及其工作人员的违法行为有权申诉、控告和检举；"
        "个人信息和隐私依法受到保护。",
        f"违反上述规定的，将依法给予训诫、警告，提请治安管理处罚{forms.escalation(case, '，或者')}。",
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
            [Paragraph(forms.esc(v), look.cell_label if r == 0 else look.cell) for v in row]
            for r, row in enumerate(rows)
        ],
        colWidths=forms.fit([34, 66, 20, 44]),
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), look.font),
                ("GRID", (0, 0), (-1, -1), 0.7, INK),
                ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    signature = forms.signature(
        doc, look, receipt=["本人已知悉上述内容。", *forms.served("告知书")]
    )
    # the team and the signatures stay on one page, whichever page that is
    return story + [KeepTogether([team_heading, Spacer(1, 2 * mm), table, *signature])]


forms.paper("notice", "社区矫正告知书", "矫告", "correction")(_render_notice)(
    forms.require_received
)


# --- 外出 ----------------------------------------------------------------------------


def _leave_check(approved_only: bool):
    def check(case, leave: Leave) -> None:
        if approved_only and leave.status != "approved":
            forms.fail(_("只有已批准的外出申请可以开具外出证明。"))

    return check


def _render_leave_form(doc: forms.Doc, look: forms.Look) -> list:
    case, leave, person = doc.case, doc.record, doc.case.person
    decision = {"approved": "同意", "refused": "不同意"}.get(leave.status)
    tier = label("leave_tier", leave.tier) if leave.tier else ""
    blank = "\n\n签名：__________　　　　年　　月　　日"

    def opinion(level: str) -> str:
        if decision and (leave.tier == "station") == (level == "station"):
            return f"{decision}\n\n签名：__________　{forms.cn_date(leave.decided_on)}"
        if decision and level == "station":
            return "同意，报县级社区矫正机构审批。" + blank
        if leave.tier == "station" and level == "county":
            return "（在司法所审批权限内，无需报批）"
        return blank

    rows = [
        ["姓名", person.name, "性别", label("sex", person.sex)],
        ["身份证号", person.id_number, "矫正类别", label("correction_type", case.correction_type)],
        [
            "矫正期限",
            f"{forms.cn_date(case.term_start)}至{forms.cn_date(case.term_end)}",
            None,
            None,
        ],
        ["居住地", person.residence_address or person.household_address, None, None],
        ["外出事由", f"{label('leave_reason', leave.reason)}　{leave.reason_detail}", None, None],
        ["外出目的地", leave.destination, None, None],
        [
            "外出时间",
            f"{forms.cn_date(leave.starts_on)}至{forms.cn_date(leave.ends_on)}，"
            f"共{(leave.ends_on - leave.starts_on).days + 1}日",
            None,
            None,
        ],
        ["申请日期", forms.cn_date(leave.applied_on), "审批层级", tier],
        ["司法所意见", opinion("station"), None, None],
        ["县级社区矫正机构意见", opinion("county"), None, None],
    ]
    spans = [((1, r), (3, r)) for r in (2, 3, 4, 5, 6, 8, 9)]
    story = forms.head(doc, look)
    story.append(forms.grid(look, rows, [34, 58, 30, 52], spans))
    story.append(Spacer(1, 4 * mm))
    story.append(
        Paragraph("注：本表一式两份，一份存入社区矫正对象档案，一份由司法所留存。", look.small)
    )
    return story


@forms.paper("leave_approval", "社区矫正对象外出审批表", "矫外审", "correction", Leave)(
    _render_leave_form
)
def _check_leave_approval(case, leave):
    # a refused leave has nothing to sign or file: the form is neither offered nor made
    if leave.status == "refused":
        forms.fail(_("该外出申请未获批准，不能制作外出审批表。"), "leave_not_approved")
    _leave_check(False)(case, leave)


def _render_leave_certificate(doc: forms.Doc, look: forms.Look) -> list:
    case, leave, person = doc.case, doc.record, doc.case.person
    story = forms.head(doc, look)
    story += forms.paras(
        look,
        f"兹有社区矫正对象{person.name}（{label('sex', person.sex)}，身份证号码{person.id_number}），"
        f"矫正类别{label('correction_type', case.correction_type)}，"
        f"矫正期限自{forms.cn_date(case.term_start)}起至{forms.cn_date(case.term_end)}止，"
        f"因{label('leave_reason', leave.reason)}{('（' + leave.reason_detail + '）') if leave.reason_detail else ''}，"
        f"经批准于{forms.cn_date(leave.starts_on)}至{forms.cn_date(leave.ends_on)}前往{leave.destination}。",
        "外出期间，该社区矫正对象应当遵守社区矫正监督管理规定，按要求报告情况，"
        "并于外出期满时立即返回，向司法所报告。",
        "请沿途及目的地有关单位予以查验。",
        "特此证明。",
    )
    return story + forms.signature(doc, look)


@forms.paper("leave_certificate", "社区矫正对象外出证明", "矫外证", "correction", Leave)(
    _render_leave_certificate
)
def _check_leave_certificate(case, leave):
    _leave_check(True)(case, leave)
