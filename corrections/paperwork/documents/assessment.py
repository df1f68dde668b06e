"""The opinion of a pre-sentence assessment (调查评估意见书)."""

from __future__ import annotations

from flask_babel import gettext as _
from reportlab.platypus import Paragraph

from corrections.assessments.models import Assessment
from corrections.labels import label
from corrections.paperwork.documents import forms


def _render_assessment(doc: forms.Doc, look: forms.Look) -> list:
    a: Assessment = doc.case
    story = forms.head(doc, look)
    body = a.commissioning_body or "委托机关"
    story.append(Paragraph(forms.esc(body) + "：", look.addressee))
    opinion = label("opinion", a.opinion)
    proposed = label("correction_type", a.proposed_type) if a.proposed_type else "社区矫正"
    story += forms.paras(
        look,
        f"受你单位委托，我局于{forms.cn_date(a.received_on)}对被告人（罪犯）{a.name}"
        f"（身份证号码{a.id_number or forms.BLANK}）涉嫌{a.crime or forms.BLANK}一案"
        f"适用{proposed}进行了调查评估。",
        "经调查走访其居住地村（居）民委员会、家庭成员、所在单位及被害人等，"
        "综合其居所情况、家庭和社会关系、一贯表现、犯罪行为的后果和影响等因素，评估意见如下：",
        f"{a.name}{opinion}。",
        f"说明：{a.opinion_note}" if a.opinion_note else "",
        "此致",
    )
    story.append(Paragraph(forms.esc(body), look.plain))
    return story + forms.signature(doc, look, dated=a.completed_on)


@forms.paper("assessment_opinion", "调查评估意见书", "矫评", "assessment")(_render_assessment)
def _check_assessment(assessment, record_):
    if assessment.completed_on is None or not assessment.opinion:
        forms.fail(_("调查评估尚未完成，不能制作意见书。"))


# --- 安置帮教 -------------------------------------------------------------------------
