"""The demo county's tables: its stations, users, names, crimes and what becomes of each
person. Changing one changes the demo figures the tests count."""

from __future__ import annotations

DEMO_UNIT = "示范县司法局"
DEMO_PASSWORD = "demo-county-2026"
DEMO_STATIONS = [
    ("CG", "城关司法所"),
    ("DS", "东山司法所"),
    ("NX", "南溪司法所"),
    ("BL", "北岭司法所"),
]
# username, role, display name, station codes
# Display names are people's names: the station or office is shown beside them where it
# matters (officer pickers, the scope line), never glued into the name.
DEMO_USERS = [
    ("admin", "admin", "系统管理员", []),
    ("zhuguan", "supervisor", "王建华", []),
    ("jiancha", "viewer", "刘敏", []),
    ("chen", "officer", "陈晓", ["CG"]),
    ("li", "officer", "李娜", ["DS"]),
    ("zhou", "officer", "周强", ["NX", "BL"]),
]
# the names earlier demo databases were given (renamed when the demo is loaded again)
OLD_DEMO_NAMES = {
    "zhuguan": "县局社矫科 王主管",
    "jiancha": "县检察院 刘检察官",
    "chen": "城关所 陈晓",
    "li": "东山所 李娜",
    "zhou": "南溪、北岭所 周强",
}
AREA_CODES = ["330726", "330727", "330781", "330782"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红建国志文辉鹏飞斌宇浩凯健俊帆"
ETHNICITIES = ["汉族"] * 18 + ["畲族", "回族"]
TOWNS = {"CG": "城关镇", "DS": "东山乡", "NX": "南溪镇", "BL": "北岭乡"}
PEOPLE_PER_STATION = 15


CRIMES = [
    ("盗窃罪", "property"),
    ("诈骗罪", "property"),
    ("危险驾驶罪", "public_safety"),
    ("交通肇事罪", "public_safety"),
    ("故意伤害罪", "personal_rights"),
    ("寻衅滋事罪", "social_order"),
    ("开设赌场罪", "social_order"),
    ("非法吸收公众存款罪", "market_order"),
    ("受贿罪", "corruption"),
    ("玩忽职守罪", "malfeasance"),
    ("帮助信息网络犯罪活动罪", "social_order"),
]
# The sentence and the deciding organ of a case, by its type.
SENTENCES = {
    "probation": "有期徒刑一年六个月，缓刑二年",
    "parole": "有期徒刑五年，假释",
    "control": "管制一年",
    "temporary_release": "有期徒刑三年，暂予监外执行",
}
DECISION_BODIES = {
    "probation": "示范县人民法院",
    "control": "示范县人民法院",
    "parole": "示范市中级人民法院",
    "temporary_release": "省第一监狱",
}
# (share of people, plan) — what becomes of each registered person in the demo county.
CASE_PLANS = (
    ["active"] * 30
    + ["active_overdue"] * 5
    + ["expected"] * 2
    + ["missed_intake"] * 2
    + ["released"] * 8
    + ["terminated"] * 2
    + ["transferred_out"] * 2
    + ["near_end"] * 3
    + ["none"] * 6
)


# Contact streams per level: (roughly every N days, kinds), each a little inside its window.
STREAMS = {
    "strict": [(6, ["report_in_person", "report_in_person", "field_visit"]), (26, ["field_visit"])],
    "normal": [
        (6, ["phone", "video", "info_check"]),
        (26, ["report_in_person"]),
        (50, ["field_visit"]),
    ],
}


DEMO_PIN = "135790"  # every demo person's PIN at /my/login (phones 1390000xxxx)
