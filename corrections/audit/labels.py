"""Readable names for audit events: the action a person took (one name per action, the
words the pages use: 记录联系, not a code) and who took it (the person's name, not the
login). Used by the audit log and the closed-month change lists."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from corrections.extensions import db

ACTIONS = {
    "activity.create": _l("登记教育活动"),
    "activity.void": _l("作废教育活动"),
    "assessment.complete": _l("完成调查评估"),
    "assessment.create": _l("登记调查评估"),
    "assessment.extend": _l("延长调查评估期限"),
    "assessment.link_case": _l("调查评估关联案件"),
    "attachment.download": _l("查看附件"),
    "attachment.upload": _l("上传附件"),
    "attachment.void": _l("作废附件"),
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
    "correction.monitoring_start": _l("开始电子定位"),
    "correction.move_station": _l("变更司法所"),
    "correction.plan": _l("矫正方案"),
    "correction.receive": _l("接收入矫"),
    "correction.sanction": _l("登记奖惩"),
    "correction.sanction_decide": _l("审批奖惩"),
    "correction.team_add": _l("加入矫正小组"),
    "correction.team_remove": _l("移出矫正小组"),
    "correction.update": _l("修改矫正案件"),
    "correction.void_contact": _l("作废联系记录"),
    "correction.void_sanction": _l("作废奖惩"),
    "correction.void_medical_review": _l("作废病情复查"),
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
    "resettlement.release": _l("登记释放"),
    "resettlement.verify": _l("核查"),
    "resettlement.void_contact": _l("作废走访记录"),
    "resettlement.void_assistance": _l("作废帮扶"),
    "station.create": _l("添加司法所"),
    "station.update": _l("修改司法所"),
    "token.revoke": _l("吊销接口令牌"),
    "unit.create": _l("添加单位"),
    "unit.update": _l("修改单位"),
    "user.change_password": _l("修改密码"),
    "user.create": _l("添加用户"),
    "user.logout_everywhere": _l("退出所有设备"),
    "user.reset_password": _l("重置密码"),
    "user.update": _l("修改用户"),
}


def action_label(action: str) -> str:
    """The readable name of an action code (the code itself when it has none)."""
    return str(ACTIONS.get(action, action))


def names_by_username(usernames: Iterable[str]) -> dict[str, str]:
    """username -> the person's name (display name, else the login), one query."""
    from corrections.auth.models import User

    wanted = {u for u in usernames if u}
    if not wanted:
        return {}
    rows = db.session.execute(
        select(User.username, User.display_name).where(User.username.in_(wanted))
    ).all()
    return {username: (display or username) for username, display in rows}
