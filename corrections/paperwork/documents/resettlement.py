"""The papers of resettlement (安置帮教): the handover register and the assistance agreement."""

from __future__ import annotations

from flask_babel import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

from corrections.labels import label
from corrections.paperwork.documents import forms
from corrections.resettlement.models import ResettlementCase


def _render_handover(doc: forms.Doc, look: forms.Look) -> list:
    case: ResettlementCase = doc.case
    person = case.person
    rows = [
        ["姓名", person.name, "性别", label("sex", person.sex)],
        ["身份证号", person.id_number, "出生日期", forms.cn_date(person.birth_date)],
        ["户籍地", person.household_address, None, None],
        ["居住地", person.residence_address, None, None],
        ["释放类别", label("rs_source", case.source), "原服刑场所", case.facility],
        ["罪名", case.crime, "原判刑罚", case.sentence],
        [
            "通知书收到日期",
            forms.cn_date(case.notice_received_on),
            "释放日期",
            forms.cn_date(case.released_on),
        ],
        [
            "核查结果",
            label("verification_result", case.verification_result) or "（未核查）",
            "核查日期",
            forms.cn_date(case.verified_on),
        ],
        [
            "衔接方式",
            label("handover_method", case.handover_method) or "（未衔接）",
            "衔接日期",
            forms.cn_date(case.handed_over_on),
        ],
        [
            "重点帮教对象",
            ("是：" + case.key_reason) if case.is_key else "否",
            "帮教期满",
            forms.cn_date(case.period_ends_on),
        ],
        ["帮教建议", case.recommendation or "", None, None],
        ["接收司法所", case.station.name, "帮教责任人", case.officer.label if case.officer else ""],
        ["备注", "\n", None, None],
    ]
    spans = [((1, r), (3, r)) for r in (2, 3, 10, 12)]
    story = forms.head(doc, look)
    story.append(forms.grid(look, rows, [34, 54, 32, 54], spans))
    return story + forms.signature(
        doc,
        look,
        receipt=["登记人：____________　　　　刑满释放人员（签名、捺印）：____________"],
    )


@forms.paper("handover_register", "刑满释放人员衔接登记表", "帮衔", "resettlement")(
    _render_handover
)
def _check_handover(case, record_):
    if case.released_on is None:
        forms.fail(_("该人员尚未释放，不能制作衔接登记表。"))


def _render_agreement(doc: forms.Doc, look: forms.Look) -> list:
    case: ResettlementCase = doc.case
    person = case.person
    story = forms.head(doc, look)
    story += [
        Paragraph(f"甲方（帮教单位）：{forms.esc(case.station.name)}", look.plain),
        Paragraph(
            f"乙方（帮教对象）：{forms.esc(person.name)}，身份证号码{forms.esc(person.id_number)}",
            look.plain,
        ),
        Spacer(1, 2 * mm),
    ]
    story += forms.paras(
        look,
        f"乙方因犯{case.crime or forms.BLANK}被判处{case.sentence or forms.BLANK}，"
        f"于{forms.cn_date(case.released_on)}"
        f"{'解除社区矫正' if case.source == 'correction' else '刑满释放'}，帮教期至{forms.cn_date(case.period_ends_on)}止。"
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
                Paragraph(f"甲方（盖章）：{forms.esc(case.station.name)}", look.plain),
                Paragraph("乙方（签名、捺印）：", look.plain),
            ],
            [Paragraph(f"帮教责任人：{forms.esc(officer)}", look.plain), ""],
            ["", ""],  # room for the seal and the signatures
            [
                Paragraph(forms.cn_date(doc.on), look.plain),
                Paragraph(forms.cn_date(doc.on), look.plain),
            ],
        ],
        colWidths=forms.fit([1, 1]),
        rowHeights=[None, None, 18 * mm, None],
    )
    sig.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), look.font),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(KeepTogether([sig]))
    return story


@forms.paper("assistance_agreement", "安置帮教协议书", "帮协", "resettlement")(_render_agreement)
def _check_agreement(case, record_):
    if case.status not in ("active", "ended") or case.handed_over_on is None:
        forms.fail(_("该人员尚未衔接，不能签订帮教协议。"))
