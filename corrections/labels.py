"""The one label catalogue: display labels for the enum codes of docs/api.md and the rule
tables, and the words of the due-date explanations (docs/domain.md §3.5).

Chinese first; every entry is a lazy Babel string whose English is in the catalogue
(corrections/translations). ``label``/``choices`` give labels in the request's language;
``in_language`` gives any entry in a named language with or without a request (the
explanations are also computed outside requests).
"""

from __future__ import annotations

import functools
from pathlib import Path

from babel.support import NullTranslations, Translations
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_babel.speaklater import LazyString

TRANSLATIONS_DIR = Path(__file__).parent / "translations"

LABELS = {
    # --- the audit log: what was done, to what ---------------------------------------
    "audit_action": {
        "activity.create": _l("登记教育活动"),
        "activity.void": _l("作废教育活动"),
        "alert.close": _l("办结预警"),
        "alert.handle": _l("处置预警"),
        "alert.raise": _l("生成预警"),
        "alert.verify": _l("核实预警"),
        "assessment.complete": _l("完成调查评估"),
        "assessment.create": _l("登记调查评估"),
        "assessment.extend": _l("延长调查评估期限"),
        "assessment.link_case": _l("调查评估关联案件"),
        "attachment.download": _l("查看附件"),
        "attachment.upload": _l("上传附件"),
        "attachment.void": _l("作废附件"),
        "checkin.activate": _l("激活自助报到"),
        "checkin.activation_failed": _l("自助报到激活失败"),
        "checkin.end": _l("结束自助报到"),
        "checkin.enrol": _l("登记自助报到"),
        "checkin.expire": _l("自助报到逾期未交"),
        "checkin.new_code": _l("重发激活码"),
        "checkin.notice": _l("修改报到须知"),
        "checkin.pin_failed": _l("报到密码错误"),
        "checkin.question_add": _l("添加报到问题"),
        "checkin.question_retire": _l("停用报到问题"),
        "checkin.reference_photo": _l("登记比对照片"),
        "checkin.request": _l("发起自助报到"),
        "checkin.retention": _l("按期删除报到照片"),
        "checkin.review": _l("审核自助报到"),
        "checkin.send_link": _l("发送激活链接"),
        "checkin.submit": _l("提交自助报到"),
        "contact_rule.create": _l("添加联系频次规则"),
        "contact_rule.update": _l("更正联系频次规则"),
        "correction.assign_officer": _l("调整责任人"),
        "correction.checklist": _l("解除前清单"),
        "correction.contact": _l("记录联系"),
        "correction.create": _l("登记矫正案件"),
        "correction.incident": _l("登记脱管/重新犯罪等事件"),
        "correction.incident_close": _l("事件结案"),
        "correction.incident_notify": _l("登记事件通报"),
        "correction.incident_search": _l("登记查找情况"),
        "correction.leave_apply": _l("外出申请"),
        "correction.leave_decide": _l("外出审批"),
        "correction.leave_return": _l("销假"),
        "correction.level_change": _l("调整管理等级"),
        "correction.level_decide": _l("审批等级调整"),
        "correction.level_propose": _l("提出等级调整"),
        "correction.medical_review": _l("登记病情复查"),
        "correction.monitoring_extend": _l("延长电子定位"),
        "correction.monitoring_remove": _l("解除电子定位"),
        "correction.monitoring_start": _l("开始电子定位"),
        "correction.move_station": _l("变更司法所"),
        "correction.plan": _l("矫正方案"),
        "correction.reassign_caseload": _l("批量调整责任人"),
        "correction.receive": _l("接收入矫"),
        "correction.recompute_deadline": _l("重算报到期限"),
        "correction.release": _l("解除社区矫正"),
        "correction.sanction": _l("登记奖惩"),
        "correction.sanction_decide": _l("审批奖惩"),
        "correction.sanction_outcome": _l("登记提请结果"),
        "correction.team_add": _l("加入矫正小组"),
        "correction.team_remove": _l("移出矫正小组"),
        "correction.terminate": _l("终止社区矫正"),
        "correction.transfer_out": _l("变更执行地（转出）"),
        "correction.update": _l("修改矫正案件"),
        "correction.void_contact": _l("作废联系记录"),
        "correction.void_medical_review": _l("作废病情复查"),
        "correction.void_sanction": _l("作废奖惩"),
        "deadline_rule.create": _l("添加期限规则"),
        "deadline_rule.update": _l("更正期限规则"),
        "holiday.add": _l("添加节假日"),
        "holiday.declare_year": _l("确认全年节假日"),
        "holiday.remove": _l("删除节假日"),
        "person.create": _l("登记人员"),
        "person.update": _l("修改人员档案"),
        "resettlement.assistance": _l("登记帮扶"),
        "resettlement.contact": _l("记录联系"),
        "resettlement.create": _l("登记安置帮教"),
        "resettlement.end": _l("结束帮教"),
        "resettlement.handover": _l("衔接"),
        "resettlement.key": _l("调整重点状态"),
        "resettlement.lost": _l("登记失联"),
        "resettlement.lost_close": _l("失联找回"),
        "resettlement.lost_search": _l("登记失联查找"),
        "resettlement.placement": _l("登记安置情况"),
        "resettlement.recompute_period": _l("重算帮教期"),
        "resettlement.release": _l("登记释放"),
        "resettlement.verify": _l("核查"),
        "resettlement.void_assistance": _l("作废帮扶"),
        "resettlement.void_contact": _l("作废走访记录"),
        "station.create": _l("添加司法所"),
        "station.update": _l("修改司法所"),
        "token.issue": _l("签发接口令牌"),
        "token.revoke": _l("吊销接口令牌"),
        "unit.create": _l("添加单位"),
        "unit.update": _l("修改单位"),
        "user.change_password": _l("修改密码"),
        "user.create": _l("添加用户"),
        "user.logout_everywhere": _l("退出所有设备"),
        "user.reset_password": _l("重置密码"),
        "user.update": _l("修改用户"),
    },
    "audit_entity": {
        "activity": _l("教育活动"),
        "alert": _l("预警"),
        "api_token": _l("接口令牌"),
        "assessment": _l("调查评估"),
        "assistance": _l("帮扶"),
        "attachment": _l("附件"),
        "case_level": _l("管理等级"),
        "checkin": _l("自助报到"),
        "checkin_enrolment": _l("自助报到登记"),
        "checkin_notice": _l("报到须知"),
        "checkin_question": _l("报到问题"),
        "checklist_item": _l("解除前清单"),
        "contact": _l("联系记录"),
        "contact_rule": _l("联系频次规则"),
        "correction_case": _l("矫正案件"),
        "correction_plan": _l("矫正方案"),
        "deadline_rule": _l("期限规则"),
        "holiday_entry": _l("节假日"),
        "holiday_year": _l("全年节假日"),
        "incident": _l("事件"),
        "leave": _l("外出"),
        "lost_contact": _l("失联"),
        "medical_review": _l("病情复查"),
        "monitoring": _l("电子定位"),
        "person": _l("人员档案"),
        "resettlement_case": _l("安置帮教案件"),
        "resettlement_contact": _l("走访记录"),
        "sanction": _l("奖惩"),
        "station": _l("司法所"),
        "team_member": _l("矫正小组成员"),
        "unit": _l("单位"),
        "user": _l("用户"),
    },
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
    # --- 安置帮教 (resettlement); contact kinds use "contact_kind" ------------------
    "rs_source": {
        "prison": _l("监狱刑满释放"),
        "detention_center": _l("看守所刑满释放"),
        "correction": _l("社区矫正期满"),
    },
    "rs_status": {
        "expected": _l("待释放"),
        "released": _l("已释放待衔接"),
        "active": _l("帮教中"),
        "ended": _l("已结束"),
    },
    "verification_result": {
        "verified": _l("核查属实"),
        "false_identity": _l("身份不实"),
        "false_address": _l("地址不实"),
        "not_local": _l("非本地（移交）"),
    },
    "handover_method": {
        "escorted": _l("必接必送（监所门口接回）"),
        "family": _l("家属接回"),
        "station_pickup": _l("司法所接回"),
        "self_report": _l("自行报到"),
    },
    "assistance_kind": {
        "relief": _l("临时救助"),
        "subsistence": _l("纳入低保"),
        "employment": _l("推荐就业"),
        "training": _l("技能培训"),
        "housing": _l("过渡性安置"),
        "legal_aid": _l("法律援助"),
        "other": _l("其他"),
    },
    "placement": {
        "employed": _l("就业"),
        "self_employed": _l("自主创业"),
        "studying": _l("就学"),
        "subsistence": _l("纳入低保"),
        "unplaced": _l("未安置"),
    },
    "rs_end_reason": {
        "expiry": _l("帮教期满"),
        "death": _l("死亡"),
        "reoffended": _l("重新犯罪"),
        "transferred": _l("迁出本县"),
        "false_identity": _l("身份虚假"),
        "not_local": _l("非本地"),
    },
    "rs_search_method": {
        "phone": _l("电话联系"),
        "location": _l("定位查找"),
        "home_visit": _l("上门查找"),
        "family": _l("联系家属"),
        "bulletin": _l("发布协查通报"),
        "other": _l("其他"),
    },
    # --- 社区矫正 (supervision) ------------------------------------------------
    "correction_type": {
        "control": _l("管制"),
        "probation": _l("缓刑"),
        "parole": _l("假释"),
        "temporary_release": _l("暂予监外执行"),
    },
    "grounds": {
        "medical": _l("保外就医"),
        "pregnancy": _l("怀孕或哺乳"),
        "self_care": _l("生活不能自理"),
    },
    "crime_category": {
        "state_security": _l("危害国家安全"),
        "public_safety": _l("危害公共安全"),
        "market_order": _l("破坏社会主义市场经济秩序"),
        "personal_rights": _l("侵犯公民人身权利、民主权利"),
        "property": _l("侵犯财产"),
        "social_order": _l("妨害社会管理秩序"),
        "corruption": _l("贪污贿赂"),
        "malfeasance": _l("渎职"),
        "other": _l("其他"),
    },
    "case_status": {
        "expected": _l("待报到"),
        "active": _l("在矫"),
        "released": _l("已解除"),
        "terminated": _l("已终止"),
        "transferred_out": _l("已变更执行地"),
    },
    "source": {
        "self_report": _l("自行报到"),
        "escorted": _l("监狱或公安押送"),
        "fetched": _l("司法所接回"),
        "transfer_in": _l("变更执行地转入"),
    },
    "level": {"strict": _l("严管"), "normal": _l("普管"), "lenient": _l("宽管")},
    "level_status": {
        "proposed": _l("待审批"),
        "approved": _l("已批准"),
        "refused": _l("未批准"),
    },
    "contact_kind": {
        "report_in_person": _l("当面报告"),
        "field_visit": _l("实地查访"),
        "phone": _l("电话报告"),
        "video": _l("视频报告"),
        "info_check": _l("信息化核查"),
        "written_report": _l("书面报告"),
    },
    "requirement": {
        "face_to_face": _l("面对面"),
        "remote_report": _l("远程报告"),
        "remote_report_on_leave": _l("外出期间远程报告"),
        "field_visit": _l("实地查访"),
        "health_report": _l("病情报告"),
        "visit": _l("见面走访"),
    },
    "sanction_kind": {
        "commendation": _l("表扬"),
        "admonition": _l("训诫"),
        "warning": _l("警告"),
        "police_penalty_request": _l("提请治安管理处罚"),
        "revocation_request": _l("提请撤销缓刑、假释"),
        "custody_request": _l("提请收监执行"),
    },
    "sanction_status": {
        "proposed": _l("待审批"),
        "decided": _l("已决定"),
        "rejected": _l("未批准"),
    },
    "outcome": {"granted": _l("准予"), "refused": _l("不予准许")},
    "leave_kind": {"leave": _l("请假外出"), "frequent_permit": _l("经常性跨市县活动")},
    "leave_reason": {
        "medical": _l("就医"),
        "schooling": _l("就学"),
        "litigation": _l("诉讼"),
        "family": _l("家庭事务"),
        "work": _l("工作事务"),
    },
    "leave_tier": {
        "station": _l("司法所审批"),
        "county": _l("县局审批"),
        "above_county": _l("报市局审批"),
    },
    "leave_status": {
        "applied": _l("待审批"),
        "approved": _l("已批准"),
        "refused": _l("未批准"),
    },
    "incident_kind": {
        "absconded": _l("脱管"),
        "reoffended": _l("重新犯罪"),
        "detained": _l("被其他机关羁押"),
    },
    "search_method": {
        "phone": _l("电话联系"),
        "location": _l("定位查找"),
        "home_visit": _l("上门查找"),
        "family": _l("联系家属"),
        "other": _l("其他"),
    },
    "release_reason": {"expiry": _l("期满解除"), "pardon": _l("赦免")},
    "termination_reason": {
        "probation_revoked": _l("撤销缓刑"),
        "parole_revoked": _l("撤销假释"),
        "custody": _l("收监执行"),
        "death": _l("死亡"),
    },
    "end_reason": {
        "expiry": _l("期满解除"),
        "pardon": _l("赦免"),
        "probation_revoked": _l("撤销缓刑"),
        "parole_revoked": _l("撤销假释"),
        "custody": _l("收监执行"),
        "death": _l("死亡"),
        "transfer": _l("变更执行地"),
    },
    "checklist_item": {
        "self_assessment": _l("个人总结"),
        "appraisal": _l("司法所书面鉴定（含安置帮教建议）"),
        "announcement": _l("解除宣告"),
        "certificate": _l("解除社区矫正证明书"),
        "notice_decision_body": _l("通知决定机关"),
        "notice_procuratorate": _l("通知检察院"),
        "notice_police": _l("通知公安机关"),
    },
    "monitoring_ground": {
        "prohibition_breach": _l("违反禁止令"),
        "unapproved_departure": _l("无正当理由未经批准离开所居住市县"),
        "refused_report_after_warning": _l("受到警告后仍拒不按规定报告"),
        "police_penalty": _l("受到治安管理处罚"),
        "pending_revocation": _l("拟提请撤销缓刑、假释或收监执行"),
    },
    # --- 调查评估 and activities ------------------------------------------------
    "commissioned_by": {
        "court": _l("人民法院"),
        "procuratorate": _l("人民检察院"),
        "police": _l("公安机关"),
        "prison": _l("监狱管理机关"),
    },
    "opinion": {"suitable": _l("适宜社区矫正"), "unsuitable": _l("不适宜社区矫正")},
    "activity_kind": {
        "education": _l("教育学习"),
        "public_service": _l("公益活动"),
        "counselling": _l("心理咨询辅导"),
        "assistance": _l("帮困扶助"),
    },
    "checkin_status": {
        "requested": _l("待报到"),
        "submitted": _l("已提交待审核"),
        "expired": _l("逾期未报到"),
        "reviewed": _l("已审核"),
    },
    "enrolment_status": {
        "pending": _l("待激活"),
        "active": _l("已开通"),
        "ended": _l("已结束"),
    },
    "checkin_face": {
        "match": _l("一致"),
        "no_match": _l("不一致"),
        "no_face": _l("未检测到人脸"),
        "not_checked": _l("未比对（请人工对照）"),
    },
    "checkin_outcome": {"accepted": _l("通过"), "follow_up": _l("需跟进")},
    # --- rule tables -------------------------------------------------------------
    "programme": {"correction": _l("社区矫正"), "resettlement": _l("安置帮教")},
}

# --- due-date explanations (docs/domain.md §3.5) ------------------------------------
# Words as they stand inside an explanation sentence, in their own message context: the
# English differs from the field labels above ("face-to-face contact", not "Face-to-face").
DUE = "due"
DUE_WORDS = {
    "requirement": {
        "face_to_face": lazy_pgettext(DUE, "面对面"),
        "remote_report": lazy_pgettext(DUE, "远程报告"),
        "field_visit": lazy_pgettext(DUE, "实地查访"),
        "health_report": lazy_pgettext(DUE, "病情报告"),
        "visit": lazy_pgettext(DUE, "见面走访"),
    },
    "contact_kind": {
        "report_in_person": lazy_pgettext(DUE, "当面报告"),
        "field_visit": lazy_pgettext(DUE, "实地查访"),
        "phone": lazy_pgettext(DUE, "电话报告"),
        "video": lazy_pgettext(DUE, "视频报告"),
        "info_check": lazy_pgettext(DUE, "信息化核查"),
        "written_report": lazy_pgettext(DUE, "书面报告"),
    },
    "anchor": {
        "reception": lazy_pgettext(DUE, "入矫接收"),
        "level_change": lazy_pgettext(DUE, "管理等级调整"),
        "leave_return": lazy_pgettext(DUE, "销假"),
        "handover": lazy_pgettext(DUE, "衔接"),
        "key_change": lazy_pgettext(DUE, "重点帮教状态变更"),
        "leave_start": lazy_pgettext(DUE, "外出"),
    },
    "level": {
        "strict": lazy_pgettext(DUE, "严管"),
        "normal": lazy_pgettext(DUE, "普管"),
        "lenient": lazy_pgettext(DUE, "宽管"),
    },
    "correction_type": {
        "control": lazy_pgettext(DUE, "管制"),
        "probation": lazy_pgettext(DUE, "缓刑"),
        "parole": lazy_pgettext(DUE, "假释"),
        "temporary_release": lazy_pgettext(DUE, "暂予监外执行"),
    },
    "key": {True: lazy_pgettext(DUE, "重点帮教对象"), False: lazy_pgettext(DUE, "一般帮教对象")},
}
# The pieces of an explanation: "严管：每7天至少一次面对面（当面报告或实地查访）；上次：…".
DUE_SENTENCE = {
    "rule": lazy_pgettext(DUE, "每%(n)d天至少一次%(requirement)s%(kinds)s"),
    "kinds": lazy_pgettext(DUE, "（%(kinds)s）"),
    "or": lazy_pgettext(DUE, "或"),
    "comma": lazy_pgettext(DUE, "、"),
    "last": lazy_pgettext(DUE, "上次：%(date)s %(kind)s"),
    "since": lazy_pgettext(DUE, "自%(date)s%(anchor)s起算"),
    "due_by": lazy_pgettext(DUE, "应于%(date)s前"),
    "paused": lazy_pgettext(DUE, "请假外出期间暂停"),
    "overdue": lazy_pgettext(DUE, "已逾期%(n)d天"),
    "separator": lazy_pgettext(DUE, "；"),
    "scoped": lazy_pgettext(DUE, "%(scope)s：%(text)s"),
}


def choices(kind: str, codes=None, blank=None) -> list[tuple[str, object]]:
    """Select-field choices for an enum, in the registry's order (or ``codes``' order)."""
    table = LABELS[kind]
    items = [(code, table.get(code, code)) for code in (codes or table)]
    return ([("", blank)] if blank is not None else []) + items


def label(kind: str, code: str | None) -> str:
    if not code:
        return "—"
    return str(LABELS.get(kind, {}).get(code, code))


def join_names(names) -> str:
    """Names listed in a sentence: 、 in Chinese, a comma in English."""
    from flask_babel import gettext

    return gettext("、").join(str(n) for n in names)


def station_option(station) -> str:
    """A station in a select list: 城关司法所（CG） / 城关司法所 (CG)."""
    from flask_babel import gettext

    return gettext("%(name)s（%(code)s）", name=station.name, code=station.code)


@functools.cache
def _catalogue(language: str) -> NullTranslations:
    """The compiled catalogue of ``language`` (Chinese, the source language, has none)."""
    return Translations.load(str(TRANSLATIONS_DIR), [language])


def in_language(language: str, message: LazyString | str, **variables) -> str:
    """A catalogue entry (or a plain msgid) in ``language`` ("zh", "en"), inside a request or
    not; ``variables`` fill its ``%(name)s`` placeholders."""
    if isinstance(message, LazyString):
        # lazy_gettext keeps (msgid,), lazy_pgettext (context, msgid).
        args, variables = message._args, {**message._kwargs, **variables}
    else:
        args = (message,)
    catalogue = _catalogue(language)
    text = catalogue.pgettext(*args) if len(args) == 2 else catalogue.gettext(args[0])
    return text % variables if variables else text
