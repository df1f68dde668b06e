"""Display labels for the enum codes of API.md (Chinese first, translated through Babel)."""

from flask_babel import lazy_gettext as _l

LABELS = {
    "flag": {
        "gang": _l("涉黑涉恶"),
        "repeat_offender": _l("累犯"),
        "drugs": _l("涉毒"),
        "cult": _l("涉邪"),
        "three_no": _l("三无人员"),
    },
    "sex": {"male": _l("男"), "female": _l("女")},
    "household_type": {"urban": _l("城镇"), "rural": _l("农村"), "other": _l("其他")},
    "education": {
        "college": _l("大专及以上"),
        "high_school": _l("高中或中专"),
        "middle_school": _l("初中"),
        "primary_or_less": _l("小学及以下"),
    },
    "employment": {"student": _l("在校"), "employed": _l("就业"), "unemployed": _l("无业")},
}


def label(kind: str, code: str | None) -> str:
    if not code:
        return "—"
    return str(LABELS.get(kind, {}).get(code, code))
