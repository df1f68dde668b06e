"""The legacy monthly form 社区矫正人员情况统计表 (docs/domain.md §6), filled from the same data.

Rows are the reporting units (each 司法所, then 合计); columns are the form's groups:
register movement (上月在册, 本月增加, 本月减少 by reason, 本月在册), the make-up of those on
the register at month end (type, crime category, 户籍, sex, ethnicity, age band, education,
employment), rewards and penalties this month, 脱管 at month end, 重新犯罪 this month and the
cumulative totals since the start of the data.

Every number that is a figure of docs/domain.md §5 comes from ``figures.compute`` (not recounted);
the breakdowns are one aggregate query over the cases on the register at month end
(``figures.cc_on_register``), each counted at its station on that day (``figures.station_at``).
Cases whose category, 户籍, ethnicity, education or employment is not recorded are counted in
an explicit 未填写 column, so every group adds up to 本月在册.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import force_locale
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer
from sqlalchemy import case, func, or_, select

from corrections import periods
from corrections.auth.models import Station, User
from corrections.extensions import db
from corrections.people.models import EDUCATION_LEVELS, EMPLOYMENT_STATES, Person
from corrections.reports import figures
from corrections.reports import summary as summaries
from corrections.reports.monthly import parse_month
from corrections.reports.printing import (
    HEAD_BG,
    Styles,
    build_pdf,
    china_now,
    cjk_font,
    cn_date,
    cn_month,
    filing_unit,
    frame_width,
    grid_style,
    sign_off,
    table,
    unit_name,
)
from corrections.supervision.models import (
    CORRECTION_TYPES,
    CRIME_CATEGORIES,
    CorrectionCase,
    StationMove,
)

CC = CorrectionCase
FORM_TITLE = "社区矫正人员情况统计表"
SINCE = date(1900, 1, 1)  # "since the start of the data"
CUSTODY_REASONS = ("probation_revoked", "parole_revoked", "custody")

# (group, [(key, column label)]) in the form's order. Keys are this module's own.
GROUPS: list[tuple[str, list[tuple[str, str]]]] = [
    ("上月在册", [("prev_on_register", "上月在册")]),
    ("本月增加", [("added", "小计"), ("received", "接收"), ("transferred_in", "转入")]),
    (
        "本月减少",
        [
            ("removed", "小计"),
            ("removed.expiry", "期满解除"),
            ("removed.custody", "收监执行"),
            ("removed.death", "死亡"),
            ("removed.other", "其他"),
        ],
    ),
    ("所间调整", [("moved_net", "县内所间调整（净）")]),
    ("本月在册", [("on_register", "本月在册")]),
    (
        "矫正类别",
        [
            ("type.control", "管制"),
            ("type.probation", "缓刑"),
            ("type.parole", "假释"),
            ("type.temporary_release", "暂予监外执行"),
        ],
    ),
    (
        "罪名类别",
        [
            ("crime.state_security", "危害国家安全"),
            ("crime.public_safety", "危害公共安全"),
            ("crime.market_order", "破坏社会主义市场经济秩序"),
            ("crime.personal_rights", "侵犯公民人身权利、民主权利"),
            ("crime.property", "侵犯财产"),
            ("crime.social_order", "妨害社会管理秩序"),
            ("crime.corruption", "贪污贿赂"),
            ("crime.malfeasance", "渎职"),
            ("crime.other", "其他"),
            ("crime.unknown", "未填写"),
        ],
    ),
    (
        "户籍",
        [
            ("household.urban", "城镇"),
            ("household.rural", "农村"),
            ("household.other", "其他或未填写"),
        ],
    ),
    ("性别", [("sex.male", "男"), ("sex.female", "女")]),
    (
        "民族",
        [
            ("ethnicity.han", "汉族"),
            ("ethnicity.minority", "少数民族"),
            ("ethnicity.unknown", "未填写"),
        ],
    ),
    (
        "年龄",
        [
            ("age.under_18", "未满18周岁"),
            ("age.18_45", "18至45周岁"),
            ("age.46_60", "46至60周岁"),
            ("age.61_up", "61周岁以上"),
        ],
    ),
    (
        "文化程度",
        [
            ("education.college", "大专及以上"),
            ("education.high_school", "高中或中专"),
            ("education.middle_school", "初中"),
            ("education.primary_or_less", "小学及以下"),
            ("education.unknown", "未填写"),
        ],
    ),
    (
        "就业就学",
        [
            ("employment.student", "在校"),
            ("employment.employed", "就业"),
            ("employment.unemployed", "无业"),
            ("employment.unknown", "未填写"),
        ],
    ),
    (
        "本月奖惩",
        [
            ("commendations", "表扬"),
            ("admonitions", "训诫"),
            ("warnings", "警告"),
            ("police_penalty_requests", "提请治安管理处罚"),
            ("revocation_requests", "提请撤销缓刑、假释"),
            ("custody_requests", "提请收监执行"),
        ],
    ),
    ("脱管", [("absconded_open", "月末脱管")]),
    ("重新犯罪", [("reoffended", "本月重新犯罪")]),
    (
        "累计",
        [
            ("cum.received", "累计接收"),
            ("cum.released", "累计解除"),
            ("cum.reoffended", "累计重新犯罪"),
        ],
    ),
]
KEYS = [key for _group, columns in GROUPS for key, _label in columns]
# The printed form splits the columns over several tables that fit an A4 landscape page.
BLOCKS: list[tuple[str, list[str]]] = [
    ("一、在册人数变动", ["上月在册", "本月增加", "本月减少", "所间调整", "本月在册"]),
    ("二、月末在册人员构成（一）", ["矫正类别", "户籍", "性别", "民族"]),
    ("三、月末在册人员构成（二）：罪名类别", ["罪名类别"]),
    ("四、月末在册人员构成（三）", ["年龄", "文化程度", "就业就学"]),
    ("五、奖惩、脱管、重新犯罪及累计", ["本月奖惩", "脱管", "重新犯罪", "累计"]),
]

# The figures of docs/domain.md §5 the form quotes: form key -> figure key.
MONTH_FIGURES = {
    "on_register": "cc.on_register",
    "received": "cc.received",
    "transferred_in": "cc.transferred_in",
    "commendations": "cc.commendations",
    "admonitions": "cc.admonitions",
    "warnings": "cc.warnings",
    "police_penalty_requests": "cc.police_penalty_requests",
    "revocation_requests": "cc.revocation_requests",
    "custody_requests": "cc.custody_requests",
    "absconded_open": "cc.absconded_open",
    "reoffended": "cc.reoffended",
    **{f"type.{t}": f"cc.on_register.{t}" for t in CORRECTION_TYPES},
}
ENDED_FIGURES = ("cc.released", "cc.terminated", "cc.transferred_out")
CUMULATIVE_FIGURES = {
    "cum.received": ("cc.received", "cc.transferred_in"),
    "cum.released": ("cc.released",),
    "cum.reoffended": ("cc.reoffended",),
}


@dataclass
class LegacyForm:
    stations: list[Station]
    start: date
    end: date
    station_code: str | None
    values: dict[int | None, dict[str, int]] = field(default_factory=dict)  # station id / None

    @property
    def unit(self) -> str:
        return unit_name(self.stations)

    @property
    def title(self) -> str:
        return f"{self.unit} {FORM_TITLE} {cn_month(self.start)}"

    @property
    def filing_unit(self) -> str:
        return filing_unit(self.stations)

    @property
    def place(self) -> str:
        """The place the form covers, named as the report paragraph names it."""
        return summaries.place_name(self.stations, named=True)

    def rows(self) -> list[tuple[str, dict[str, int]]]:
        """(unit name, values) for each station, then 合计 (no 合计 for one station)."""
        rows = [(s.name, self.values.get(s.id, {})) for s in self.stations]
        if len(self.stations) > 1:
            rows.append(("合计", self.values.get(None, {})))
        return rows


def legacy_form(user: User, month_text: str | None, station_code: str | None = None) -> LegacyForm:
    station_code = station_code or None
    stations = summaries.stations_in_scope(user, station_code)
    start, end = parse_month(month_text)
    return compute(stations, start, end, station_code)


def compute(
    stations: list[Station], start: date, end: date, station_code: str | None = None
) -> LegacyForm:
    ids = [s.id for s in stations]
    per: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(KEYS, 0))
    totals: dict[str, int] = dict.fromkeys(KEYS, 0)

    def put(key: str, result: figures.Result, figure_keys: tuple[str, ...]) -> None:
        for fk in figure_keys:
            totals[key] += int(result.totals.get(fk, 0))
            for sid, values in result.by_station.items():
                per[sid][key] += int(values.get(fk, 0))

    # §5 figures: this month, last month end, and since the start of the data.
    month_keys = list(MONTH_FIGURES.values()) + list(ENDED_FIGURES)
    month = figures.compute(start, end, ids, keys=month_keys)
    for key, figure_key in MONTH_FIGURES.items():
        put(key, month, (figure_key,))
    put("added", month, ("cc.received", "cc.transferred_in"))
    put("removed", month, ENDED_FIGURES)
    prev_end = start - timedelta(days=1)
    prev = figures.compute(periods.month_start(prev_end), prev_end, ids, keys=["cc.on_register"])
    put("prev_on_register", prev, ("cc.on_register",))
    wanted = sorted({k for keys in CUMULATIVE_FIGURES.values() for k in keys})
    cumulative = figures.compute(SINCE, end, ids, keys=wanted)
    for key, figure_keys in CUMULATIVE_FIGURES.items():
        put(key, cumulative, figure_keys)

    # The decrease by reason (the total is the §5 figures above; 其他 is the rest).
    for sid, expiry, custody_, death in _ended_by_reason(ids, start, end):
        for key, value in (("expiry", expiry), ("custody", custody_), ("death", death)):
            per[sid][f"removed.{key}"] += value
            totals[f"removed.{key}"] += value
    for values in [*per.values(), totals]:
        named = sum(values[f"removed.{k}"] for k in ("expiry", "custody", "death"))
        values["removed.other"] = values["removed"] - named

    # Moves between the unit's stations (so each station's columns add up).
    for sid, net in _moves(ids, start, end).items():
        per[sid]["moved_net"] += net
        totals["moved_net"] += net

    # The make-up of those on the register at month end.
    for sid, counts in _make_up(ids, end).items():
        for key, value in counts.items():
            per[sid][key] += value
            totals[key] += value

    form = LegacyForm(stations, start, end, station_code)
    form.values = {sid: dict(values) for sid, values in per.items() if sid in set(ids)}
    form.values[None] = totals
    return form


def _ended_by_reason(ids: list[int], start: date, end: date):
    station = figures.station_at(CC.ended_on)

    def n(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    query = (
        select(
            station.label("station_id"),
            n((CC.status == "released") & (CC.end_reason == "expiry")),
            n((CC.status == "terminated") & CC.end_reason.in_(CUSTODY_REASONS)),
            n((CC.status == "terminated") & (CC.end_reason == "death")),
        )
        .where(CC.ended_on.between(start, end), station.in_(ids))
        .group_by(station)
    )
    return [tuple(int(v) for v in row) for row in db.session.execute(query).all()]


def _moves(ids: list[int], start: date, end: date) -> dict[int, int]:
    """Net moves of cases on the register into each station during the month (in minus out)."""
    net: dict[int, int] = defaultdict(int)
    on = StationMove.moved_on
    where = (
        on.between(start, end),
        CC.received_on <= on,
        or_(CC.ended_on.is_(None), CC.ended_on > on),
        StationMove.from_station_id != StationMove.to_station_id,
    )
    for column, sign in ((StationMove.to_station_id, 1), (StationMove.from_station_id, -1)):
        query = (
            select(column, func.count())
            .select_from(StationMove)
            .join(CC, CC.id == StationMove.case_id)
            .where(*where, column.in_(ids))
            .group_by(column)
        )
        for sid, count in db.session.execute(query).all():
            net[sid] += sign * int(count)
    return dict(net)


def years_before(day: date, years: int) -> date:
    """The same calendar date ``years`` earlier (29 February gives 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _make_up(ids: list[int], end: date) -> dict[int, dict[str, int]]:
    """One aggregate query: the breakdowns of the cases on the register at ``end``."""
    station = figures.station_at(end)
    ethnicity = func.trim(func.coalesce(Person.ethnicity, ""))
    # Age on ``end`` is at least N exactly when the birth date is on or before N years earlier.
    at_least = {n: years_before(end, n) for n in (18, 46, 61)}
    conditions: list[tuple[str, object]] = []
    conditions += [(f"crime.{c}", CC.crime_category == c) for c in CRIME_CATEGORIES]
    conditions.append(
        (
            "crime.unknown",
            or_(CC.crime_category.is_(None), CC.crime_category.notin_(CRIME_CATEGORIES)),
        )
    )
    conditions += [
        ("household.urban", Person.household_type == "urban"),
        ("household.rural", Person.household_type == "rural"),
        (
            "household.other",
            or_(Person.household_type.is_(None), Person.household_type.notin_(("urban", "rural"))),
        ),
        ("sex.male", Person.sex == "male"),
        ("sex.female", Person.sex == "female"),
        ("ethnicity.han", ethnicity.in_(("汉族", "汉"))),
        ("ethnicity.unknown", ethnicity == ""),
        ("ethnicity.minority", ethnicity.notin_(("汉族", "汉", ""))),
        ("age.under_18", Person.birth_date > at_least[18]),
        (
            "age.18_45",
            (Person.birth_date <= at_least[18]) & (Person.birth_date > at_least[46]),
        ),
        (
            "age.46_60",
            (Person.birth_date <= at_least[46]) & (Person.birth_date > at_least[61]),
        ),
        ("age.61_up", Person.birth_date <= at_least[61]),
    ]
    conditions += [(f"education.{e}", Person.education == e) for e in EDUCATION_LEVELS]
    conditions.append(
        (
            "education.unknown",
            or_(Person.education.is_(None), Person.education.notin_(EDUCATION_LEVELS)),
        )
    )
    conditions += [(f"employment.{e}", Person.employment == e) for e in EMPLOYMENT_STATES]
    conditions.append(
        (
            "employment.unknown",
            or_(Person.employment.is_(None), Person.employment.notin_(EMPLOYMENT_STATES)),
        )
    )
    query = (
        select(
            station.label("station_id"),
            *[func.coalesce(func.sum(case((c, 1), else_=0)), 0) for _k, c in conditions],
        )
        .select_from(CC)
        .join(Person, Person.id == CC.person_id)
        .where(figures.cc_on_register(end), station.in_(ids))
        .group_by(station)
    )
    result: dict[int, dict[str, int]] = {}
    for row in db.session.execute(query).all():
        result[row[0]] = {
            key: int(value) for (key, _c), value in zip(conditions, row[1:], strict=True)
        }
    return result


# --------------------------------------------------------------------------- printing


def groups_by_name() -> dict[str, list[tuple[str, str]]]:
    return dict(GROUPS)


def legacy_pdf(user: User, month_text: str | None, station_code: str | None = None) -> bytes:
    return render(legacy_form(user, month_text, station_code))


def render(form: LegacyForm) -> bytes:
    font = cjk_font()
    styles = Styles(font.name)
    with force_locale("zh"):
        story = _story(form, styles)
    return build_pdf(
        story,
        font=font.name,
        title=form.title,
        header=form.title,
        generated=china_now(),
        landscape_pages=True,
        subject=FORM_TITLE,
    )


def _story(form: LegacyForm, s: Styles) -> list:
    story: list = [
        Paragraph(FORM_TITLE, s.title),
        Paragraph(f"{form.unit}　{cn_month(form.start)}", s.subtitle),
        Spacer(1, 1 * mm),
        Paragraph(
            f"统计范围：{form.place}　　统计期间：{cn_date(form.start)}至{cn_date(form.end)}"
            f"　　在册人员构成为{cn_date(form.end)}情况　　单位：人、人次",
            s.meta,
        ),
        Spacer(1, 3 * mm),
    ]
    width = frame_width(landscape_pages=True)
    groups = groups_by_name()
    rows = form.rows()
    for title, names in BLOCKS:
        columns = [(g, key, text) for g in names for key, text in groups[g]]
        story.append(KeepTogether([Paragraph(title, s.h2), _block_table(columns, rows, s, width)]))
    story.append(Spacer(1, 3 * mm))
    story.append(
        Paragraph(
            "说明：本月增加＝接收＋变更执行地转入；本月减少按解除、终止、变更执行地转出的日期统计，"
            "“收监执行”含撤销缓刑、撤销假释和收监执行，“其他”含赦免和变更执行地转出；"
            "上月在册＋本月增加－本月减少＋县内所间调整＝本月在册。年龄按统计月最后一日计算。"
            "本表按系统记录实时统计。",
            s.note,
        )
    )
    # signed and stamped before it is sent up
    story += [Spacer(1, 5 * mm), KeepTogether([sign_off(s, form.filing_unit, width)])]
    return story


def _block_table(columns, rows, s: Styles, width: float):
    """Two header rows (group, item) over the unit rows; group cells span their items."""
    name_width = 34 * mm
    count = len(columns)
    col = min((width - name_width) / max(count, 1), 30 * mm)
    widths = [name_width] + [col] * count
    top = [Paragraph("单位", s.head)]
    sub = [""]
    spans = [("SPAN", (0, 0), (0, 1))]
    index = 1
    for group in dict.fromkeys(g for g, _k, _t in columns):
        items = [(k, t) for g, k, t in columns if g == group]
        single = len(items) == 1 and items[0][1] == group
        top.append(Paragraph(group, s.head))
        top += [""] * (len(items) - 1)
        if single:
            sub.append("")
            spans.append(("SPAN", (index, 0), (index, 1)))
        else:
            sub += [Paragraph(text, s.small_head) for _k, text in items]
            if len(items) > 1:
                spans.append(("SPAN", (index, 0), (index + len(items) - 1, 0)))
        index += len(items)
    body = []
    for name, values in rows:
        body.append(
            [Paragraph(name, s.cell)]
            + [Paragraph(str(values.get(k, 0)), s.cell_right) for _g, k, _t in columns]
        )
    extra = spans
    if rows and rows[-1][0] == "合计":
        extra.append(("BACKGROUND", (0, len(body) + 1), (-1, len(body) + 1), HEAD_BG))
    return table([top, sub, *body], widths, grid_style(s.font, 2, extra), repeat=2)
