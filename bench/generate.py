"""Generate a realistic province straight into the database, with bulk inserts.

    python -m bench.generate --database-url URL --size {tiny,county,province}
                             [--scale F] [--seed N] [--reset]

The schema is created by the app's migrations; the rows are then written with
PostgreSQL ``COPY`` (SQLite: ``executemany`` in one transaction), never through
the services, so no audit events are written (an empty audit chain verifies).
Output is deterministic for a given size, scale, seed and today.

Every user's password is ``bench-2026``. Usernames: ``bench_admin`` (admin, unit 1);
per unit u: ``sup{u}`` (supervisor), ``view{u}`` (viewer); per station s of unit u:
``off{u}_{s}_1`` and ``off{u}_{s}_2`` (officers of that station). Station codes are
``U{u:02d}S{s:02d}``.

The stored due state of every case (next_due_on, is_overdue, overdue_days) is the
engine's answer (``corrections.rules.engine.next_due``) for today, computed from the
same facts that are written (latest non-voided contact of each kind, approved levels,
key-status history).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sqlite3
import sys
import time
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

PASSWORD = "bench-2026"
HERE = os.path.dirname(os.path.abspath(__file__))

SIZES = {
    # units, stations per unit, active/ended correction cases, resettlement cases,
    # contact target, history (days) of ended cases, longest elapsed time of an active case,
    # resettlement release window (days), months of activities.
    "tiny": dict(
        units=1,
        stations=2,
        active=20,
        ended=10,
        resettlement=20,
        contacts=500,
        history=120,
        active_elapsed=45,
        release_window=200,
        activity_months=2,
        months_cap=4,
    ),
    "county": dict(
        units=1,
        stations=20,
        active=1200,
        ended=1800,
        resettlement=18000,
        contacts=200_000,
        history=5 * 365,
        active_elapsed=5 * 365,
        release_window=7 * 365,
        activity_months=24,
    ),
    "province": dict(
        units=10,
        stations=20,
        active=20_000,
        ended=30_000,
        resettlement=300_000,
        contacts=10_000_000,
        history=5 * 365,
        active_elapsed=5 * 365,
        release_window=7 * 365,
        activity_months=24,
    ),
}

# ----------------------------------------------------------------------------- vocabulary

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红建国志文辉鹏飞斌宇浩凯健俊帆晨阳佳欣雪梅海波峰林琳婷丹亮成龙春燕利东晓新"
TOWN_A = "青石长新安东西南北清白金大小永兴和丰太平宁龙凤云"
TOWN_B = "山门桥溪湖塘坑岭田江口坞港湾头店坪源塔"
ETHNICITIES = ["汉族"] * 40 + ["畲族", "回族", "满族", "土家族"]
# (modern code, code before the 1980s/1990s reorganisation): a birth year picks the valid one.
AREA_CODES = [
    ("330782", "332526"),
    ("330783", "332525"),
    ("330784", "332523"),
    ("330781", "332522"),
    ("330723", "332524"),
    ("330726", "332527"),
    ("330702", "332501"),
    ("330802", "332502"),
    ("330421", "332122"),
    ("330803", "332528"),
]
CRIMES = [
    ("盗窃罪", "property", 18),
    ("诈骗罪", "property", 12),
    ("危险驾驶罪", "public_safety", 22),
    ("交通肇事罪", "public_safety", 8),
    ("故意伤害罪", "personal_rights", 9),
    ("寻衅滋事罪", "social_order", 6),
    ("开设赌场罪", "social_order", 5),
    ("帮助信息网络犯罪活动罪", "social_order", 8),
    ("非法吸收公众存款罪", "market_order", 3),
    ("生产、销售伪劣产品罪", "market_order", 2),
    ("受贿罪", "corruption", 2),
    ("玩忽职守罪", "malfeasance", 1),
    ("非法捕捞水产品罪", "other", 2),
    ("容留他人吸毒罪", "social_order", 2),
]
SENTENCES = {
    "probation": "有期徒刑{a}个月，缓刑{m}个月",
    "parole": "有期徒刑{a}个月，假释考验期{m}个月",
    "control": "管制{m}个月",
    "temporary_release": "有期徒刑{a}个月，暂予监外执行",
}
CONTACT_NOTES = [
    "按时报到，思想汇报正常",
    "情况稳定",
    "走访家属，表现良好",
    "工作稳定，遵守规定",
    "电话核实在居住地",
    "信息化核查，位置正常",
    "",
    "",
]
RS_NOTES = ["走访了解就业和家庭情况", "情况稳定", "已落实就业", "家属反映表现良好", ""]
FACILITIES = ["省第一监狱", "省第二监狱", "省第四监狱", "省女子监狱", "省十里丰监狱"]
PLACEMENTS = ["employed", "employed", "self_employed", "self_employed", "studying", "unplaced"]

# Contact streams per level: (requirement every N days, kinds drawn from).
STREAMS = {
    "strict": [
        (7, ("report_in_person", "report_in_person", "report_in_person", "field_visit")),
        (30, ("field_visit",)),
    ],
    "normal": [
        (7, ("phone", "video", "info_check", "phone")),
        (30, ("report_in_person",)),
        (60, ("field_visit",)),
    ],
    "lenient": [
        (30, ("phone", "video", "info_check")),
        (60, ("report_in_person",)),
        (90, ("field_visit",)),
    ],
}
HEALTH_STREAM = (30, ("written_report",))
EXTRA_KINDS = ("info_check", "phone", "video", "info_check")
RS_VISIT_KINDS = ("field_visit",) * 7 + ("report_in_person",) * 3


def _slack(every: int) -> int:
    return max(2, every // 4)


def _mean_gap(every: int) -> float:
    return every - 1 - (_slack(every) - 1) / 2


# ----------------------------------------------------------------------------- columns

TABLES: dict[str, tuple[str, ...]] = {
    "units": ("id", "name", "is_default", "active", "created_at", "updated_at", "version"),
    "stations": ("id", "unit_id", "code", "name", "active", "created_at", "updated_at", "version"),
    "users": (
        "id",
        "username",
        "display_name",
        "email",
        "password_hash",
        "role",
        "unit_id",
        "active",
        "session_nonce",
        "created_at",
        "updated_at",
        "version",
    ),
    "user_stations": ("user_id", "station_id"),
    "people": (
        "id",
        "name",
        "id_number",
        "sex",
        "birth_date",
        "ethnicity",
        "phone",
        "household_address",
        "residence_address",
        "same_address",
        "household_type",
        "education",
        "employment",
        "emergency_contact",
        "notes",
        "flag_gang",
        "flag_repeat_offender",
        "flag_drugs",
        "flag_cult",
        "flag_three_no",
        "registered_by_id",
        "registered_station_id",
        "created_at",
        "updated_at",
        "version",
    ),
    "correction_cases": (
        "id",
        "person_id",
        "station_id",
        "officer_id",
        "correction_type",
        "grounds",
        "crime",
        "crime_category",
        "sentence",
        "decision_body",
        "decision_document",
        "judgment_effective_on",
        "term_start",
        "term_end",
        "prohibitions",
        "notified_on",
        "source",
        "report_deadline",
        "received_on",
        "received_on_time",
        "announced_on",
        "status",
        "level",
        "ended_on",
        "has_moves",
        "end_reason",
        "transfer_destination",
        "created_by_id",
        "next_due_on",
        "is_overdue",
        "overdue_days",
        "due_computed_on",
        "on_time_ok",
        "on_time_total",
        "month_ends_from",
        "month_ends_to",
        "overdue_month_ends",
        "created_at",
        "updated_at",
        "version",
    ),
    "case_levels": (
        "id",
        "case_id",
        "effective_on",
        "level",
        "from_level",
        "reason",
        "status",
        "proposed_by_id",
        "decided_by_id",
        "decided_on",
        "decision_note",
        "created_at",
        "updated_at",
    ),
    "case_station_moves": (
        "id",
        "case_id",
        "moved_on",
        "from_station_id",
        "to_station_id",
        "moved_by_id",
        "created_at",
        "updated_at",
    ),
    "case_officer_assignments": (
        "id",
        "case_id",
        "officer_id",
        "assigned_on",
        "assigned_by_id",
        "note",
        "created_at",
        "updated_at",
    ),
    "contacts": (
        "id",
        "case_id",
        "kind",
        "occurred_on",
        "unannounced",
        "at_night",
        "note",
        "recorded_by_id",
        "voided_at",
        "void_reason",
        "voided_by_id",
        "created_at",
        "updated_at",
    ),
    "sanctions": (
        "id",
        "case_id",
        "kind",
        "status",
        "proposed_on",
        "decided_on",
        "reason",
        "investigation",
        "document_number",
        "outcome",
        "outcome_on",
        "proposed_by_id",
        "decided_by_id",
        "created_at",
        "updated_at",
    ),
    "medical_reviews": (
        "id",
        "case_id",
        "examined_on",
        "hospital",
        "result",
        "conditions_persist",
        "recorded_by_id",
        "created_at",
        "updated_at",
    ),
    "activities": (
        "id",
        "station_id",
        "kind",
        "held_on",
        "hours",
        "topic",
        "place",
        "note",
        "recorded_by_id",
        "created_at",
        "updated_at",
    ),
    "attendances": ("id", "activity_id", "case_id", "hours"),
    "resettlement_cases": (
        "id",
        "person_id",
        "station_id",
        "officer_id",
        "source",
        "correction_type",
        "correction_case_id",
        "facility",
        "crime",
        "sentence",
        "notice_received_on",
        "expected_release_on",
        "released_on",
        "period_ends_on",
        "is_key",
        "key_reason",
        "recommendation",
        "verified_on",
        "verification_result",
        "handed_over_on",
        "handover_method",
        "placement",
        "status",
        "ended_on",
        "end_reason",
        "created_by_id",
        "next_due_on",
        "is_overdue",
        "overdue_days",
        "due_computed_on",
        "has_key_changes",
        "month_ends_from",
        "month_ends_to",
        "overdue_month_ends",
        "created_at",
        "updated_at",
        "version",
    ),
    "resettlement_key_changes": (
        "id",
        "case_id",
        "effective_on",
        "is_key",
        "reason",
        "recorded_by_id",
        "created_at",
        "updated_at",
    ),
    "resettlement_contacts": (
        "id",
        "case_id",
        "kind",
        "occurred_on",
        "note",
        "recorded_by_id",
        "voided_at",
        "void_reason",
        "voided_by_id",
        "created_at",
        "updated_at",
    ),
    "resettlement_assistance": (
        "id",
        "case_id",
        "kind",
        "given_on",
        "amount",
        "note",
        "recorded_by_id",
        "created_at",
        "updated_at",
    ),
}
# Big tables whose secondary indexes are dropped during the PostgreSQL load.
BULK_TABLES = (
    "people",
    "correction_cases",
    "case_levels",
    "case_officer_assignments",
    "contacts",
    "sanctions",
    "attendances",
    "resettlement_cases",
    "resettlement_key_changes",
    "resettlement_contacts",
    "resettlement_assistance",
)


# ----------------------------------------------------------------------------- writers

_NULL = r"\N"


class PgSink:
    """Buffers rows per table and writes them with COPY (text format)."""

    def __init__(self, conn, log):
        self.conn = conn
        self.log = log
        self.buffers: dict[str, list[str]] = {t: [] for t in TABLES}
        self.counts: dict[str, int] = dict.fromkeys(TABLES, 0)
        self._dates: dict[date, str] = {}
        self._stamps: dict[datetime, str] = {}

    def _fmt(self, v) -> str:
        t = type(v)
        if v is None:
            return _NULL
        if t is str:
            if "\\" in v or "\t" in v or "\n" in v or "\r" in v:
                v = v.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
                v = v.replace("\r", "\\r")
            return v
        if t is bool:
            return "t" if v else "f"
        if t is int or t is Decimal or t is float:
            return str(v)
        if t is date:
            s = self._dates.get(v)
            if s is None:
                s = self._dates[v] = v.isoformat()
            return s
        if t is datetime:
            s = self._stamps.get(v)
            if s is None:
                s = self._stamps[v] = v.isoformat(sep=" ")
            return s
        raise TypeError(t)

    def add(self, table: str, row: tuple) -> None:
        buf = self.buffers[table]
        fmt = self._fmt
        buf.append("\t".join([fmt(v) for v in row]))
        if len(buf) >= 200_000:
            self.flush(table)

    def flush(self, table: str) -> None:
        buf = self.buffers[table]
        if not buf:
            return
        cols = ", ".join(TABLES[table])
        with self.conn.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            copy.write("\n".join(buf) + "\n")
        self.counts[table] += len(buf)
        buf.clear()

    def flush_all(self) -> None:
        for table in TABLES:
            self.flush(table)


class SqliteSink:
    def __init__(self, conn, log):
        self.conn = conn
        self.log = log
        self.buffers: dict[str, list[tuple]] = {t: [] for t in TABLES}
        self.counts: dict[str, int] = dict.fromkeys(TABLES, 0)
        self._stamps: dict[datetime, str] = {}
        self._dates: dict[date, str] = {}

    def _conv(self, v):
        t = type(v)
        if t is date:
            s = self._dates.get(v)
            if s is None:
                s = self._dates[v] = v.isoformat()
            return s
        if t is datetime:
            s = self._stamps.get(v)
            if s is None:
                s = self._stamps[v] = v.strftime("%Y-%m-%d %H:%M:%S.%f")
            return s
        if t is bool:
            return int(v)
        if t is Decimal:
            return float(v)
        return v

    def add(self, table: str, row: tuple) -> None:
        buf = self.buffers[table]
        conv = self._conv
        buf.append(tuple([conv(v) for v in row]))
        if len(buf) >= 100_000:
            self.flush(table)

    def flush(self, table: str) -> None:
        buf = self.buffers[table]
        if not buf:
            return
        cols = TABLES[table]
        marks = ", ".join("?" * len(cols))
        self.conn.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", buf)
        self.counts[table] += len(buf)
        buf.clear()

    def flush_all(self) -> None:
        for table in TABLES:
            self.flush(table)


# ----------------------------------------------------------------------------- helpers


def _check_digit(body17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(body17, weights, strict=True))
    return "10X98765432"[total % 11]


def _stamp(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """A UTC timestamp for ``hour:minute`` China time on ``day``."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


@dataclass
class Station:
    id: int
    unit: int  # 1-based
    index: int  # 1-based within its unit
    code: str
    town: str
    officers: tuple[int, int]


@dataclass
class CCase:
    """A correction case skeleton (dates and histories), before its rows are written."""

    id: int
    person_id: int
    unit: int
    ctype: str
    judgment: date
    received: date
    term_end: date
    months: int
    status: str
    ended_on: date | None
    stop: date  # last day with contacts
    levels: list  # [(effective_on, level, from_level)]
    stations: list  # [(from, station)]
    officers: list  # [(from, officer_id)]
    source: str
    end_reason: str | None = None
    overdue: bool = False
    contacts: int = 0


@dataclass
class RCase:
    id: int
    person_id: int | None  # None: a new person is created
    unit: int
    station: Station
    officer: int
    source: str
    ctype: str | None
    correction_case_id: int | None
    released: date | None
    handed_over: date | None
    period_end: date | None
    status: str
    ended_on: date | None
    end_reason: str | None
    keys: list  # [(effective_on, is_key)]
    stop: date | None
    expected_release: date | None = None
    notice: date | None = None
    extra: dict = field(default_factory=dict)


class Generator:
    def __init__(self, sink, spec: dict, scale: float, seed: int, today: date, rules, deadlines):
        self.sink = sink
        self.spec = spec
        self.scale = scale
        self.rng = random.Random(seed)
        self.today = today
        self.rules = rules
        self.deadlines = deadlines  # callable(day) -> dict
        self.ids: dict[str, int] = dict.fromkeys(TABLES, 0)
        self.t0 = time.monotonic()
        self.id_numbers: set[str] = set()
        self._area_ok: dict[tuple[str, int], bool] = {}
        self.usernames: dict[int, str] = {}
        self.long_case: tuple[int, int] = (0, 0)  # (contacts, case id)

    # -- utilities
    def log(self, message: str) -> None:
        print(f"[{time.monotonic() - self.t0:8.1f}s] {message}", flush=True)

    def next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def name(self) -> str:
        r = self.rng
        return r.choice(SURNAMES) + r.choice(GIVEN) + (r.choice(GIVEN) if r.random() < 0.7 else "")

    def _area(self, unit: int, birth: date) -> str:
        """An area code of the unit's county that was in use on the birth date (stdnum)."""
        from stdnum.cn import ric

        own = AREA_CODES[(unit - 1) % len(AREA_CODES)]
        for code in own + tuple(c for pair in AREA_CODES for c in pair if pair is not own):
            key = (code, birth)
            ok = self._area_ok.get(key)
            if ok is None:
                body = f"{code}{birth:%Y%m%d}901"
                try:
                    ric.get_birth_place(body + _check_digit(body))
                    ok = True
                except Exception:
                    ok = False
                self._area_ok[key] = ok
            if ok:
                return code
        return own[0]

    def id_number(self, unit: int, birth: date, female: bool) -> str:
        r = self.rng
        # One in five was born in a neighbouring county.
        origin = unit if r.random() < 0.8 else r.randrange(1, len(AREA_CODES) + 1)
        area = self._area(origin, birth)
        while True:
            # 9xx serials, as in the demo: well-formed but clearly fictional.
            serial = 900 + 2 * r.randrange(50) + (0 if female else 1)
            body = f"{area}{birth:%Y%m%d}{serial:03d}"
            number = body + _check_digit(body)
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                return number

    def person(self, station: Station, officer: int, when: date, age_from: date) -> int:
        """Write one person (age 18–70 on ``age_from``) and return the id."""
        r = self.rng
        pid = self.next_id("people")
        female = r.random() < 0.15
        birth = age_from - timedelta(days=r.randrange(18 * 366, 70 * 365))
        number = self.id_number(station.unit, birth, female)
        same = r.random() < 0.75
        address = f"{station.town}{r.choice(TOWN_A)}{r.choice(TOWN_B)}村{r.randrange(1, 120)}号"
        stamp = _stamp(when, 9, r.randrange(60))
        self.sink.add(
            "people",
            (
                pid,
                self.name(),
                number,
                "female" if female else "male",
                birth,
                r.choice(ETHNICITIES),
                f"1{r.choice('3578')}{r.randrange(100000000, 999999999)}",
                address,
                "" if same else f"{station.town}{r.choice(TOWN_A)}{r.choice(TOWN_B)}小区",
                same,
                r.choice(("urban", "rural", "rural")),
                r.choice(
                    ("college", "high_school", "middle_school", "middle_school", "primary_or_less")
                ),
                r.choice(("employed", "employed", "unemployed", "student"))
                if r.random() < 0.95
                else None,
                f"{r.choice(SURNAMES)}某（家属） 13{r.randrange(100000000, 999999999)}",
                "",
                r.random() < 0.03,
                r.random() < 0.10,
                r.random() < 0.05,
                r.random() < 0.003,
                r.random() < 0.02,
                officer,
                station.id,
                stamp,
                stamp,
                1,
            ),
        )
        return pid

    # -- organisation
    def organisation(self, default_unit_id: int, password_hash: str, conn_update_unit) -> None:
        spec, r = self.spec, self.rng
        now = _stamp(self.today - timedelta(days=5 * 365 + 30), 9)
        self.units: list[int] = []
        self.stations: list[Station] = []
        self.unit_stations: dict[int, list[Station]] = {}
        self.supervisors: dict[int, int] = {}
        users = []
        for u in range(1, spec["units"] + 1):
            name = f"示例市第{u}区县司法局"
            if u == 1:
                conn_update_unit(default_unit_id, name)
                uid = default_unit_id
            else:
                uid = self.next_id("units")
                self.sink.add("units", (uid, name, False, True, now, now, 1))
            self.units.append(uid)
        towns_used: set[str] = set()
        for u in range(1, spec["units"] + 1):
            unit_id = self.units[u - 1]
            users.append((f"sup{u}", "supervisor", unit_id, f"第{u}区县司法局 {self.name()}主管"))
            users.append((f"view{u}", "viewer", unit_id, f"第{u}区县人民检察院 {self.name()}"))
            self.unit_stations[u] = []
            for s in range(1, spec["stations"] + 1):
                while True:
                    town = (
                        r.choice(TOWN_A) + r.choice(TOWN_B) + r.choice(("镇", "乡", "镇", "街道"))
                    )
                    if town not in towns_used:
                        towns_used.add(town)
                        break
                sid = self.next_id("stations")
                self.sink.add(
                    "stations",
                    (sid, unit_id, f"U{u:02d}S{s:02d}", f"{town}司法所", True, now, now, 1),
                )
                officers = []
                for k in (1, 2):
                    officers.append(len(users))
                    users.append(
                        (f"off{u}_{s}_{k}", "officer", unit_id, f"{town}司法所 {self.name()}")
                    )
                station = Station(sid, u, s, f"U{u:02d}S{s:02d}", town, tuple(officers))
                self.stations.append(station)
                self.unit_stations[u].append(station)
        users.insert(0, ("bench_admin", "admin", self.units[0], "系统管理员"))
        user_ids = {}
        for username, role, unit_id, display in users:
            uid = self.next_id("users")
            user_ids[username] = uid
            self.usernames[uid] = username
            self.sink.add(
                "users",
                (uid, username, display, None, password_hash, role, unit_id, True, 0, now, now, 1),
            )
        for station in self.stations:
            u, s = station.unit, station.index
            station.officers = (user_ids[f"off{u}_{s}_1"], user_ids[f"off{u}_{s}_2"])
            for officer in station.officers:
                self.sink.add("user_stations", (officer, station.id))
        for u in range(1, spec["units"] + 1):
            self.supervisors[u] = user_ids[f"sup{u}"]
        self.admin_id = user_ids["bench_admin"]
        self.log(f"units {len(self.units)}, stations {len(self.stations)}, users {len(users)}")

    # -- correction skeletons
    def _n(self, key: str) -> int:
        return max(1, round(self.spec[key] * self.scale))

    def correction_skeletons(self) -> list[CCase]:
        r, today, spec = self.rng, self.today, self.spec
        n_active, n_ended = self._n("active"), self._n("ended")
        cases: list[CCase] = []
        plans = ["active"] * n_active + ["ended"] * n_ended
        r.shuffle(plans)
        for plan in plans:
            cid = len(cases) + 1
            unit = r.randrange(1, spec["units"] + 1)
            station = r.choice(self.unit_stations[unit])
            ctype = r.choices(
                ("probation", "parole", "control", "temporary_release"), (75, 12, 3, 10)
            )[0]
            months = r.choice(
                {
                    "probation": (12, 12, 18, 24, 24, 36, 36, 48, 60),
                    "parole": (6, 8, 12, 18, 24, 36),
                    "control": (3, 6, 12, 24),
                    "temporary_release": (6, 12, 18, 24, 36),
                }[ctype]
            )
            months = min(months, spec.get("months_cap", months))
            source = r.choices(
                ("self_report", "escorted", "fetched", "transfer_in"), (80, 12, 3, 5)
            )[0]
            delay = r.randint(1, 9) if r.random() < 0.96 else r.randint(11, 25)
            status, ended_on, end_reason = "active", None, None
            if plan == "active":
                term_days = max(30, months * 30)
                elapsed = r.randint(1, max(1, min(term_days - 5, spec["active_elapsed"])))
                received = today - timedelta(days=elapsed)
                judgment = received - timedelta(days=delay)
                term_end = _add_months(judgment, months)
                while term_end <= today:
                    months += 6
                    term_end = _add_months(judgment, months)
                stop = today
            else:
                status = r.choices(("released", "terminated", "transferred_out"), (85, 7, 8))[0]
                ended_on = today - timedelta(days=r.randint(1, spec["history"]))
                if status == "released":
                    end_reason = "expiry"
                    term_end = ended_on
                    judgment = _add_months(term_end, -months)
                    received = judgment + timedelta(days=delay)
                    stop = ended_on - timedelta(days=r.randint(0, 3))
                else:
                    span = max(30, months * 30)
                    done = r.randint(min(25, span - 5), span - 5)
                    received = ended_on - timedelta(days=done)
                    judgment = received - timedelta(days=delay)
                    term_end = _add_months(judgment, months)
                    if term_end <= ended_on:
                        term_end = ended_on + timedelta(days=r.randint(10, 200))
                    if status == "terminated":
                        end_reason = {
                            "probation": "probation_revoked",
                            "parole": "parole_revoked",
                            "temporary_release": "custody",
                        }.get(ctype, "death")
                        if r.random() < 0.1:
                            end_reason = "death"
                        lag = r.randint(20, 60) if end_reason != "death" else r.randint(0, 5)
                        stop = ended_on - timedelta(days=lag)
                    else:
                        stop = ended_on - timedelta(days=r.randint(0, 10))
                stop = max(stop, received)
            # Levels: intake, then approved changes before the last contact day.
            level = r.choices(("strict", "normal", "lenient"), (75, 22, 3))[0]
            levels = [(received, level, None)]
            day = received
            while True:
                if level == "strict":
                    if r.random() > 0.85:
                        break
                    day = day + timedelta(days=r.randint(60, 120))
                    new = "normal"
                elif level == "normal":
                    roll = r.random()
                    if roll < 0.35:
                        new = "lenient"
                    elif roll < 0.40:
                        new = "strict"
                    else:
                        break
                    day = day + timedelta(days=r.randint(150, 360))
                else:
                    break
                if day >= stop:
                    break
                levels.append((day, new, level))
                level = new
            # Station moves (3 %) and reassignments (8 %) within the active span.
            stations = [(received, station)]
            officers = [(received, station.officers[cid % 2])]
            span_days = (stop - received).days
            if span_days > 60 and r.random() < 0.03:
                moved = received + timedelta(days=r.randint(30, span_days - 1))
                others = [s for s in self.unit_stations[unit] if s is not station]
                if others:
                    to = r.choice(others)
                    stations.append((moved, to))
                    officers.append((moved, to.officers[r.randrange(2)]))
            elif span_days > 60 and r.random() < 0.08:
                moved = received + timedelta(days=r.randint(30, span_days - 1))
                current = officers[0][1]
                officers.append(
                    (
                        moved,
                        station.officers[1]
                        if current == station.officers[0]
                        else station.officers[0],
                    )
                )
            cases.append(
                CCase(
                    cid,
                    0,
                    unit,
                    ctype,
                    judgment,
                    received,
                    term_end,
                    months,
                    status,
                    ended_on,
                    stop,
                    levels,
                    stations,
                    officers,
                    source,
                    end_reason,
                )
            )
        # A few percent of active cases have fallen behind: contacts stopped a while ago.
        active = [c for c in cases if c.status == "active"]
        for case in r.sample(active, max(1, round(len(active) * 0.04))):
            level = case.levels[-1][1]
            lag = (7 if level != "lenient" else 30) + 1 + r.randint(0, 40)
            stop = today - timedelta(days=lag)
            if stop <= case.received or case.levels[-1][0] >= stop:
                continue
            if any(moved >= stop for moved, _ in case.stations[1:] + case.officers[1:]):
                continue
            case.stop, case.overdue = stop, True
        return cases

    def _streams(self, ctype: str, level: str):
        streams = list(STREAMS[level])
        if ctype == "temporary_release":
            streams.append(HEALTH_STREAM)
        return streams

    def correction_base_estimate(self, cases: list[CCase]) -> tuple[float, int]:
        total, days = 0.0, 0
        for c in cases:
            bounds = [lv[0] for lv in c.levels] + [c.stop]
            for i, (start, level, _) in enumerate(c.levels):
                span = (bounds[i + 1] - start).days
                for every, _kinds in self._streams(c.ctype, level):
                    total += span / _mean_gap(every)
            days += (c.stop - c.received).days
        return total, days

    # -- resettlement skeletons
    def resettlement_skeletons(self, corrections: list[CCase]) -> list[RCase]:
        r, today, spec = self.rng, self.today, self.spec
        n = self._n("resettlement")
        out: list[RCase] = []
        years = self.deadlines(today)
        released = [c for c in corrections if c.status == "released"]
        r.shuffle(released)
        from_corr = released[: min(len(released) * 7 // 10, n // 10)]
        from_corr.sort(key=lambda c: c.id)
        for c in from_corr:
            station = c.stations[-1][1]
            officer = c.officers[-1][1]
            rel = c.ended_on
            period_end = _add_months(rel, 12 * years[f"resettlement_years_{c.ctype}"])
            handed = min(today, rel + timedelta(days=r.randint(0, 3)))
            out.append(
                self._rcase(
                    len(out) + 1,
                    c.person_id,
                    station,
                    officer,
                    "correction",
                    c.ctype,
                    c.id,
                    rel,
                    handed,
                    period_end,
                )
            )
        while len(out) < n:
            unit = r.randrange(1, spec["units"] + 1)
            station = r.choice(self.unit_stations[unit])
            officer = station.officers[r.randrange(2)]
            source = "prison" if r.random() < 0.8 else "detention_center"
            roll = r.random()
            rid = len(out) + 1
            if roll < 0.01:  # a release notice, not released yet
                case = self._rcase(
                    rid, None, station, officer, source, None, None, None, None, None
                )
                case.expected_release = today + timedelta(days=r.randint(3, 40))
                case.notice = today - timedelta(days=r.randint(1, 20))
                case.status = "expected"
                out.append(case)
                continue
            rel = today - timedelta(days=r.randint(0, spec["release_window"]))
            period_end = _add_months(rel, 12 * years[f"resettlement_years_{source}"])
            if roll < 0.015 or (today - rel).days <= 6 and r.random() < 0.5:  # not handed over yet
                rel = today - timedelta(days=r.randint(0, 20))
                period_end = _add_months(rel, 12 * years[f"resettlement_years_{source}"])
                case = self._rcase(
                    rid, None, station, officer, source, None, None, rel, None, period_end
                )
                out.append(case)
                continue
            handed = min(today, rel + timedelta(days=r.randint(0, 6)))
            out.append(
                self._rcase(
                    rid, None, station, officer, source, None, None, rel, handed, period_end
                )
            )
        # Endings, key histories, overdue visits.
        for case in out:
            if case.handed_over is None:
                case.status = "released" if case.released else "expected"
                continue
            case.status = "active"
            case.stop = today
            if case.period_end <= today:
                case.status, case.ended_on, case.end_reason = "ended", case.period_end, "expiry"
            elif r.random() < 0.03:
                span = (today - case.handed_over).days
                if span > 10:
                    case.status = "ended"
                    case.ended_on = case.handed_over + timedelta(days=r.randint(5, span - 1))
                    case.end_reason = r.choice(("death", "reoffended", "reoffended", "transferred"))
            if case.ended_on:
                case.stop = case.ended_on - timedelta(days=r.randint(0, 10))
                case.stop = max(case.stop, case.handed_over)
            key = r.random() < (0.08 if case.source != "correction" else 0.04)
            case.keys = [(case.released, key)]
            day = case.handed_over + timedelta(days=r.randint(150, 400))
            if r.random() < (0.4 if key else 0.01) and day < case.stop:
                case.keys.append((day, not key))
        active = [c for c in out if c.status == "active"]
        for case in r.sample(active, max(1, round(len(active) * 0.04))):
            every = 30 if case.keys[-1][1] else 90
            stop = today - timedelta(days=every + 1 + r.randint(0, 60))
            if stop > case.handed_over and case.keys[-1][0] < stop:
                case.stop = stop
        return out

    def _rcase(
        self, rid, person_id, station, officer, source, ctype, ccid, rel, handed, period_end
    ):
        return RCase(
            rid,
            person_id,
            station.unit,
            station,
            officer,
            source,
            ctype,
            ccid,
            rel,
            handed,
            period_end,
            "",
            None,
            None,
            [((rel or self.today), False)],
            None,
        )

    def resettlement_base_estimate(self, cases: list[RCase]) -> tuple[float, int]:
        total, days = 0.0, 0
        for c in cases:
            if c.handed_over is None:
                continue
            bounds = [max(k[0], c.handed_over) for k in c.keys] + [c.stop]
            for i, (_, key) in enumerate(c.keys):
                span = max(0, (bounds[i + 1] - bounds[i]).days)
                total += span / _mean_gap(30 if key else 90)
            days += (c.stop - c.handed_over).days
        return total, days

    # -- writing correction cases
    def _stream_days(self, start: date, stop: date, every: int):
        """Days of one contact stream in [start, stop], never more than every-1 days apart."""
        r = self.rng
        slack = _slack(every)
        day = start + timedelta(days=1 + int(r.random() * (every - 1)))
        one = timedelta
        while day <= stop:
            yield day
            day += one(days=every - 1 - int(r.random() * slack))

    def _extra_days(self, start: date, stop: date, rate: float):
        if rate <= 0:
            return
        r = self.rng
        day = start
        while True:
            day += timedelta(days=1 + int(-math.log(1.0 - r.random()) / rate))
            if day > stop:
                return
            yield day

    def write_corrections(self, cases: list[CCase], extra_rate: float) -> None:
        from corrections.rules import engine

        r, sink, today = self.rng, self.sink, self.today
        rules = self.rules
        window_start = min(engine.on_time_window(today)[0], engine.month_ends_before(today)[0])
        on_time_start = engine.on_time_window(today)[0]
        for c in cases:
            station0 = c.stations[0][1]
            officer0 = c.officers[0][1]
            sup = self.supervisors[c.unit]
            c.person_id = self.person(
                station0, officer0, c.received - timedelta(days=2), c.received
            )
            # Contacts.
            last: dict[str, date] = {}
            before_window: dict[str, date] = {}  # latest of each kind before the window
            in_window: list[tuple[date, str]] = []  # every contact in the on-time window
            n_contacts = 0
            officer_days = [o[0] for o in c.officers]
            officer_ids = [o[1] for o in c.officers]
            bounds = [lv[0] for lv in c.levels] + [c.stop]
            days_kinds: list[tuple[date, str]] = []
            for i, (start, level, _) in enumerate(c.levels):
                end = bounds[i + 1] if i + 1 < len(c.levels) else c.stop
                if i + 1 < len(c.levels):
                    end = end - timedelta(days=1)
                for every, kinds in self._streams(c.ctype, level):
                    for day in self._stream_days(start, end, every):
                        days_kinds.append((day, kinds[int(r.random() * len(kinds))]))
            for day in self._extra_days(c.received, c.stop, extra_rate):
                days_kinds.append((day, EXTRA_KINDS[int(r.random() * 4)]))
            days_kinds.sort()
            for day, kind in days_kinds:
                if day > today:
                    continue
                officer = officer_ids[bisect_right(officer_days, day) - 1]
                cid = self.next_id("contacts")
                created = _stamp(day, 16, int(r.random() * 60))
                voided = r.random() < 0.002
                field = kind == "field_visit"
                if voided:
                    vat = created + timedelta(days=1)
                    row = (
                        cid,
                        c.id,
                        kind,
                        day,
                        False,
                        False,
                        "",
                        officer,
                        vat,
                        "录入错误，重复登记",
                        officer,
                        created,
                        vat,
                    )
                else:
                    n_contacts += 1
                    if last.get(kind, day) <= day:
                        last[kind] = day
                    if day >= window_start:
                        in_window.append((day, kind))
                    elif before_window.get(kind, day) <= day:
                        before_window[kind] = day
                    row = (
                        cid,
                        c.id,
                        kind,
                        day,
                        field and r.random() < 0.2,
                        field and r.random() < 0.08,
                        CONTACT_NOTES[int(r.random() * 8)],
                        officer,
                        None,
                        None,
                        None,
                        created,
                        created,
                    )
                sink.add("contacts", row)
            c.contacts = n_contacts
            if c.status == "active" and (n_contacts, -c.id) > (
                self.long_case[0],
                -self.long_case[1],
            ):
                self.long_case = (n_contacts, c.id)
            # Levels.
            for eff, level, prev in c.levels:
                lid = self.next_id("case_levels")
                stamp = _stamp(eff, 11)
                if prev is None:
                    row = (
                        lid,
                        c.id,
                        eff,
                        level,
                        None,
                        "入矫时确定",
                        "approved",
                        officer0,
                        officer0,
                        eff,
                        "",
                        stamp,
                        stamp,
                    )
                else:
                    officer = officer_ids[bisect_right(officer_days, eff) - 1]
                    reason = {
                        "normal": "表现良好，经评估调整为普管",
                        "lenient": "遵规守纪，经评估调整为宽管",
                        "strict": "违反监督管理规定，调整为严管",
                    }[level]
                    row = (
                        lid,
                        c.id,
                        eff,
                        level,
                        prev,
                        reason,
                        "approved",
                        officer,
                        sup,
                        eff,
                        "同意",
                        stamp,
                        stamp,
                    )
                sink.add("case_levels", row)
            # Officer assignments and station moves.
            for k, (day, officer) in enumerate(c.officers):
                stamp = _stamp(day, 9)
                note = "" if k == 0 else "工作调整，变更负责人"
                sink.add(
                    "case_officer_assignments",
                    (
                        self.next_id("case_officer_assignments"),
                        c.id,
                        officer,
                        day,
                        officer0 if k == 0 else sup,
                        note,
                        stamp,
                        stamp,
                    ),
                )
            for k in range(1, len(c.stations)):
                day, to = c.stations[k]
                stamp = _stamp(day, 9)
                sink.add(
                    "case_station_moves",
                    (
                        self.next_id("case_station_moves"),
                        c.id,
                        day,
                        c.stations[k - 1][1].id,
                        to.id,
                        sup,
                        stamp,
                        stamp,
                    ),
                )
            self._sanctions(c, officer_ids, officer_days, sup)
            if c.ctype == "temporary_release":
                day = _add_months(c.received, 3)
                while day <= c.stop:
                    officer = officer_ids[bisect_right(officer_days, day) - 1]
                    stamp = _stamp(day, 15)
                    sink.add(
                        "medical_reviews",
                        (
                            self.next_id("medical_reviews"),
                            c.id,
                            day,
                            "县人民医院",
                            "病情未见明显好转，保外就医条件仍具备",
                            True,
                            officer,
                            stamp,
                            stamp,
                        ),
                    )
                    day = _add_months(day, 3)
            # The case row, with the engine's due state.
            facts = engine.CaseFacts(
                programme=engine.CORRECTION,
                received_on=c.received,
                ended_on=c.ended_on,
                correction_type=c.ctype,
                levels=tuple(engine.LevelPeriod(e, lv) for e, lv, _ in c.levels),
                contacts=tuple(engine.ContactFact(d, k) for k, d in last.items()),
            )
            next_due_on, overdue, overdue_days = engine.next_due(facts, rules, today)
            level = engine.level_on(facts.levels, today) or c.levels[-1][1]
            window_facts = engine.CaseFacts(
                programme=engine.CORRECTION,
                received_on=c.received,
                ended_on=c.ended_on,
                correction_type=c.ctype,
                levels=facts.levels,
                contacts=tuple(engine.ContactFact(d, k) for k, d in before_window.items())
                + tuple(engine.ContactFact(d, k) for d, k in in_window),
            )
            on_time = (0, 0)
            if c.received <= today and (c.ended_on is None or c.ended_on > on_time_start):
                on_time = engine.on_time_rate([window_facts], rules, on_time_start, today)
            month_ends = _month_ends(engine, window_facts, rules, today)
            crime, category = _crime(r)
            grounds = None
            if c.ctype == "temporary_release":
                grounds = r.choices(("medical", "pregnancy", "self_care"), (80, 10, 10))[0]
            notified = c.judgment if r.random() < 0.7 or c.source == "transfer_in" else None
            d = self.deadlines(c.judgment)
            if c.source == "transfer_in":
                deadline = notified + timedelta(days=d["transfer_report_days"])
            else:
                deadline = c.judgment + timedelta(days=d["report_days"])
            station = c.stations[-1][1]
            created = _stamp(c.received, 9, int(r.random() * 60))
            updated = _stamp(min(today, c.ended_on or c.stop), 17)
            sentence = SENTENCES[c.ctype].format(a=max(6, c.months // 2 + 6), m=c.months)
            body = {
                "probation": "人民法院",
                "control": "人民法院",
                "parole": "省监狱管理局",
                "temporary_release": "人民法院",
            }[c.ctype]
            sink.add(
                "correction_cases",
                (
                    c.id,
                    c.person_id,
                    station.id,
                    c.officers[-1][1],
                    c.ctype,
                    grounds,
                    crime,
                    category,
                    sentence,
                    f"示例市第{c.unit}区县{body}",
                    f"（{c.judgment.year}）示{c.unit:02d}刑初{c.id % 9000 + 100}号",
                    c.judgment,
                    c.judgment,
                    c.term_end,
                    "禁止进入夜总会、酒吧、迪厅、网吧等娱乐场所" if r.random() < 0.2 else "",
                    notified,
                    c.source,
                    deadline,
                    c.received,
                    c.received <= deadline,
                    min(today, c.received + timedelta(days=int(r.random() * 4))),
                    c.status,
                    level,
                    c.ended_on,
                    len(c.stations) > 1,
                    c.end_reason,
                    "邻市某区司法局" if c.status == "transferred_out" else None,
                    officer0,
                    next_due_on,
                    overdue,
                    overdue_days,
                    today,
                    on_time[0],
                    on_time[1],
                    *month_ends,
                    created,
                    updated,
                    1 + len(c.levels) + len(c.officers) + (c.ended_on is not None),
                ),
            )
            if c.id % 5000 == 0:
                self.log(f"correction cases {c.id}/{len(cases)}, contacts {self.ids['contacts']}")
        self.log(f"correction cases {len(cases)}, contacts {self.ids['contacts']}")

    def _sanctions(self, c: CCase, officer_ids, officer_days, sup) -> None:
        r, sink = self.rng, self.sink
        span = (c.stop - c.received).days

        def add(kind, day, reason, outcome=None, outcome_on=None):
            officer = officer_ids[bisect_right(officer_days, day) - 1]
            proposed = day - timedelta(days=r.randint(1, 5))
            stamp = _stamp(day, 14)
            sink.add(
                "sanctions",
                (
                    self.next_id("sanctions"),
                    c.id,
                    kind,
                    "decided",
                    proposed,
                    day,
                    reason,
                    "经调查核实",
                    "",
                    outcome,
                    outcome_on,
                    officer,
                    sup,
                    stamp,
                    stamp,
                ),
            )

        if span > 20:
            if r.random() < 0.04:
                add(
                    "warning",
                    c.received + timedelta(days=r.randint(10, span)),
                    "未经批准离开所居住的县（市），经教育仍不改正",
                )
            if r.random() < 0.02:
                add(
                    "admonition",
                    c.received + timedelta(days=r.randint(10, span)),
                    "未按规定时间报告，经教育后认错",
                )
            if span > 180 and r.random() < 0.03:
                add(
                    "commendation",
                    c.received + timedelta(days=r.randint(180, span)),
                    "遵纪守法，积极参加公益活动",
                )
            if r.random() < 0.003:
                day = c.received + timedelta(days=r.randint(10, span))
                add(
                    "police_penalty_request",
                    day,
                    "违反监督管理规定，提请治安管理处罚",
                    "granted",
                    day + timedelta(days=10),
                )
        if c.status == "terminated" and c.end_reason in (
            "probation_revoked",
            "parole_revoked",
            "custody",
        ):
            kind = "custody_request" if c.end_reason == "custody" else "revocation_request"
            day = min(c.ended_on - timedelta(days=10), c.stop + timedelta(days=5))
            day = max(day, c.received)
            add(
                kind,
                day,
                "脱离监管超过一个月，经查找不到",
                "granted",
                min(c.ended_on, day + timedelta(days=8)),
            )

    # -- activities
    def write_activities(self, cases: list[CCase]) -> None:
        r, sink, today = self.rng, self.sink, self.today
        months = self.spec["activity_months"]
        first = _add_months(today.replace(day=1), -(months - 1))
        by_station: dict[int, list] = {}
        for c in cases:
            end = c.ended_on or today
            if end < first:
                continue
            for k, (start, station) in enumerate(c.stations):
                stop = c.stations[k + 1][0] if k + 1 < len(c.stations) else end
                by_station.setdefault(station.id, []).append((start, stop, c.id))
        topics = {
            "education": [
                "法治教育：社区矫正法解读",
                "警示教育",
                "道德讲堂",
                "禁毒宣传",
                "心理健康讲座",
            ],
            "public_service": ["社区环境清洁", "敬老院志愿服务", "交通文明劝导", "河道保洁"],
        }
        for station in self.stations:
            members = by_station.get(station.id, [])
            month = first
            while month <= today:
                for kind, day in (
                    ("education", 8),
                    ("public_service", 12),
                    ("education", 18),
                    ("public_service", 24),
                ):
                    held = month.replace(day=day) + timedelta(days=int(r.random() * 3))
                    if held > today:
                        continue
                    attendees = [
                        cid
                        for start, stop, cid in members
                        if start <= held < stop and r.random() < 0.85
                    ]
                    if not attendees:
                        continue
                    aid = self.next_id("activities")
                    hours = Decimal("4.0")
                    stamp = _stamp(held, 17)
                    sink.add(
                        "activities",
                        (
                            aid,
                            station.id,
                            kind,
                            held,
                            hours,
                            r.choice(topics[kind]),
                            f"{station.town}文化礼堂",
                            "",
                            station.officers[0],
                            stamp,
                            stamp,
                        ),
                    )
                    for cid in attendees:
                        sink.add("attendances", (self.next_id("attendances"), aid, cid, hours))
                month = _add_months(month, 1)
        self.log(f"activities {self.ids['activities']}, attendances {self.ids['attendances']}")

    # -- resettlement rows
    def write_resettlement(self, cases: list[RCase], extra_rate: float) -> None:
        from corrections.rules import engine

        r, sink, today, rules = self.rng, self.sink, self.today, self.rules
        window_start = engine.month_ends_before(today)[0]
        for c in cases:
            station, officer = c.station, c.officer
            before_window: dict[str, date] = {}
            in_window: list[tuple[date, str]] = []
            first_day = c.released or c.notice or c.expected_release or today
            if c.person_id is None:
                c.person_id = self.person(
                    station,
                    officer,
                    min(today, c.notice or c.released - timedelta(days=20)),
                    first_day,
                )
            last: dict[str, date] = {}
            if c.handed_over is not None:
                bounds = [max(k[0], c.handed_over) for k in c.keys] + [c.stop]
                days_kinds = []
                for i, (_, key) in enumerate(c.keys):
                    start = bounds[i]
                    end = bounds[i + 1] - timedelta(days=1) if i + 1 < len(c.keys) else c.stop
                    for day in self._stream_days(start, end, 30 if key else 90):
                        days_kinds.append((day, RS_VISIT_KINDS[int(r.random() * 10)]))
                for day in self._extra_days(c.handed_over, c.stop, extra_rate):
                    days_kinds.append((day, "phone"))
                days_kinds.sort()
                for day, kind in days_kinds:
                    if day > today:
                        continue
                    created = _stamp(day, 15, int(r.random() * 60))
                    rid = self.next_id("resettlement_contacts")
                    if r.random() < 0.002:
                        vat = created + timedelta(days=1)
                        row = (
                            rid,
                            c.id,
                            kind,
                            day,
                            "",
                            officer,
                            vat,
                            "录入错误",
                            officer,
                            created,
                            vat,
                        )
                    else:
                        if last.get(kind, day) <= day:
                            last[kind] = day
                        if day >= window_start:
                            in_window.append((day, kind))
                        elif before_window.get(kind, day) <= day:
                            before_window[kind] = day
                        row = (
                            rid,
                            c.id,
                            kind,
                            day,
                            RS_NOTES[int(r.random() * 5)],
                            officer,
                            None,
                            None,
                            None,
                            created,
                            created,
                        )
                    sink.add("resettlement_contacts", row)
                if r.random() < 0.2:
                    for _ in range(r.randint(1, 2)):
                        span = max(1, (c.stop - c.handed_over).days)
                        day = c.handed_over + timedelta(days=r.randrange(span))
                        stamp = _stamp(day, 14)
                        kind = r.choice(
                            ("employment", "training", "relief", "subsistence", "legal_aid")
                        )
                        amount = (
                            Decimal(r.choice((300, 500, 800, 1000, 2000)))
                            if kind in ("relief", "subsistence")
                            else None
                        )
                        sink.add(
                            "resettlement_assistance",
                            (
                                self.next_id("resettlement_assistance"),
                                c.id,
                                kind,
                                day,
                                amount,
                                "",
                                officer,
                                stamp,
                                stamp,
                            ),
                        )
            key_first = c.keys[0][1]
            for k, (eff, key) in enumerate(c.keys):
                eff = first_day if k == 0 else eff
                stamp = _stamp(min(eff, today), 10)
                reason = (
                    ("涉黑涉恶，监狱建议列为重点" if key else "登记时确定")
                    if k == 0
                    else ("表现良好，解除重点" if not key else "出现不稳定因素，列为重点")
                )
                sink.add(
                    "resettlement_key_changes",
                    (
                        self.next_id("resettlement_key_changes"),
                        c.id,
                        eff,
                        key,
                        reason,
                        officer,
                        stamp,
                        stamp,
                    ),
                )
            facts = engine.CaseFacts(
                programme=engine.RESETTLEMENT,
                received_on=c.handed_over,
                ended_on=c.ended_on,
                contacts=tuple(engine.ContactFact(d, k) for k, d in last.items()),
                key_periods=tuple(engine.KeyPeriod(e, k) for e, k in c.keys),
            )
            next_due_on, overdue, overdue_days = engine.next_due(facts, rules, today)
            is_key = engine.is_key_on(facts.key_periods, today)
            window_facts = engine.CaseFacts(
                programme=engine.RESETTLEMENT,
                received_on=c.handed_over,
                ended_on=c.ended_on,
                contacts=tuple(engine.ContactFact(d, k) for k, d in before_window.items())
                + tuple(engine.ContactFact(d, k) for d, k in in_window),
                key_periods=facts.key_periods,
            )
            month_ends = _month_ends(engine, window_facts, rules, today)
            crime = _crime(r)[0]
            notice = (
                c.notice
                if c.notice
                else (
                    c.released - timedelta(days=r.randint(20, 40))
                    if c.released and c.source != "correction"
                    else None
                )
            )
            verified = (
                None
                if notice is None or c.released is None
                else min(c.released, notice + timedelta(days=r.randint(1, 10)))
            )
            created = _stamp(min(today, notice or c.released or today), 9)
            updated = _stamp(min(today, c.ended_on or c.stop or first_day), 17)
            sink.add(
                "resettlement_cases",
                (
                    c.id,
                    c.person_id,
                    station.id,
                    officer,
                    c.source,
                    c.ctype,
                    c.correction_case_id,
                    ""
                    if c.source == "correction"
                    else (r.choice(FACILITIES) if c.source == "prison" else "县看守所"),
                    crime,
                    "" if c.source == "correction" else f"有期徒刑{r.randint(1, 10)}年",
                    notice,
                    c.expected_release or (c.released if c.source == "prison" else None),
                    c.released,
                    c.period_end,
                    is_key,
                    "涉黑涉恶，监狱建议列为重点" if key_first else "",
                    "建议列为一般帮教对象" if c.source == "correction" else "",
                    verified,
                    "verified" if verified else None,
                    c.handed_over,
                    (
                        (
                            "escorted"
                            if key_first
                            else r.choice(("family", "self_report", "station_pickup"))
                        )
                        if c.handed_over
                        else None
                    ),
                    r.choice(PLACEMENTS) if c.handed_over else None,
                    c.status,
                    c.ended_on,
                    c.end_reason,
                    officer,
                    next_due_on,
                    overdue,
                    overdue_days,
                    today,
                    len(c.keys) > 1,
                    *month_ends,
                    created,
                    updated,
                    1 + (c.handed_over is not None) + (c.ended_on is not None) + len(c.keys) - 1,
                ),
            )
            if c.id % 50000 == 0:
                self.log(
                    f"resettlement cases {c.id}/{len(cases)}, contacts {self.ids['resettlement_contacts']}"
                )
        self.log(f"resettlement cases {len(cases)}, contacts {self.ids['resettlement_contacts']}")

    # -- everything
    def run(self) -> dict:
        corrections = self.correction_skeletons()
        base_c, days_c = self.correction_base_estimate(corrections)
        self.log(f"skeletons: {len(corrections)} correction cases, ~{base_c:.0f} required contacts")
        target = self.spec["contacts"] * self.scale
        # Extra (voluntary) contacts fill the gap between what the rules require and the
        # target, spread evenly over every active case-day of both programmes.
        rs = self.resettlement_skeletons(corrections)
        base_r, days_r = self.resettlement_base_estimate(rs)
        rate = max(0.0, (target - base_c - base_r) / max(1, days_c + days_r))
        self.log(
            f"skeletons: {len(rs)} resettlement cases, ~{base_r:.0f} required visits, extra rate {rate:.4f}/day"
        )
        self.write_corrections(corrections, rate)
        by_id = {c.id: c for c in corrections}
        for case in rs:
            if case.correction_case_id is not None:
                case.person_id = by_id[case.correction_case_id].person_id
        self.write_activities(corrections)
        self.write_resettlement(rs, rate)
        self.sink.flush_all()
        return {"corrections": corrections, "resettlement": rs}


def _crime(r: random.Random) -> tuple[str, str]:
    name, category, _ = r.choices(CRIMES, [w for *_, w in CRIMES])[0]
    return name, category


def _add_months(d: date, n: int) -> date:
    from corrections.rules.dates import add_months

    return add_months(d, n)


# ----------------------------------------------------------------------------- database


def _pg_conninfo(url: str, database: str | None = None) -> str:
    from sqlalchemy.engine import make_url

    u = make_url(url).set(drivername="postgresql")
    if database is not None:
        u = u.set(database=database)
    return u.render_as_string(hide_password=False)


def reset_database(url: str) -> None:
    from sqlalchemy.engine import make_url

    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        path = u.database
        for suffix in ("", "-wal", "-shm", "-journal"):
            if path and os.path.exists(path + suffix):
                os.remove(path + suffix)
        return
    import psycopg

    with psycopg.connect(_pg_conninfo(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{u.database}"')


def ensure_database(url: str) -> None:
    from sqlalchemy.engine import make_url

    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        return
    import psycopg

    with psycopg.connect(_pg_conninfo(url, "postgres"), autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (u.database,)
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{u.database}"')


def _deadline_lookup():
    """deadlines(day) from the rule table, read once and cached per day."""
    from sqlalchemy import select

    from corrections.extensions import db
    from corrections.rules import engine
    from corrections.rules.models import DeadlineRuleRow

    rows = db.session.execute(
        select(DeadlineRuleRow.key, DeadlineRuleRow.value, DeadlineRuleRow.effective_from).order_by(
            DeadlineRuleRow.effective_from, DeadlineRuleRow.id
        )
    ).all()
    cache: dict[date, dict] = {}

    def lookup(day: date) -> dict:
        values = cache.get(day)
        if values is None:
            values = dict(engine.default_deadlines())
            for key, value, eff in rows:
                if eff <= day:
                    values[key] = value
            cache[day] = values
        return values

    return lookup


def generate(
    database_url: str,
    size: str,
    scale: float = 1.0,
    seed: int = 2026,
    reset: bool = False,
    today: date | None = None,
    json_path: str | None = None,
) -> dict:
    from flask_migrate import upgrade
    from sqlalchemy import func, select
    from sqlalchemy.engine import make_url
    from werkzeug.security import generate_password_hash

    from config import normalise_database_url
    from corrections import clock, create_app
    from corrections.auth.models import Unit, User
    from corrections.extensions import db
    from corrections.rules.tables import contact_rules

    started = time.monotonic()
    url = normalise_database_url(database_url)
    spec = SIZES[size]
    if reset:
        reset_database(url)
    else:
        ensure_database(url)
    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": url})
    today = today or clock.today()
    with app.app_context():
        upgrade()
        if db.session.execute(select(func.count(User.id))).scalar_one():
            raise SystemExit("The database already has users; use --reset for a fresh one.")
        rules = contact_rules()
        deadlines = _deadline_lookup()
        default_unit = db.session.execute(
            select(Unit.id).where(Unit.is_default.is_(True))
        ).scalar_one()
        max_unit = db.session.execute(select(func.max(Unit.id))).scalar_one()
        db.session.remove()
        db.engine.dispose()
    print(f"migrations done in {time.monotonic() - started:.1f}s", flush=True)
    password_hash = generate_password_hash(PASSWORD)
    dialect = make_url(url).get_backend_name()

    if dialect == "postgresql":
        import psycopg

        conn = psycopg.connect(_pg_conninfo(url))
        conn.execute("SET session_replication_role = replica")  # no FK triggers while loading
        conn.execute("SET synchronous_commit = off")
        indexes = conn.execute(
            """
            SELECT i.schemaname, i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
            """,
            (list(BULK_TABLES),),
        ).fetchall()
        for _schema, name, _def in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        sink = PgSink(conn, print)

        def update_unit(uid, name):
            conn.execute("UPDATE units SET name = %s WHERE id = %s", (name, uid))
    else:
        path = make_url(url).database
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("BEGIN")
        indexes = []
        sink = SqliteSink(conn, print)

        def update_unit(uid, name):
            conn.execute("UPDATE units SET name = ? WHERE id = ?", (name, uid))

    gen = Generator(sink, spec, scale, seed, today, rules, deadlines)
    gen.ids["units"] = max_unit
    gen.organisation(default_unit, password_hash, update_unit)
    sink.flush_all()
    result = gen.run()
    gen.log("rows written")
    if dialect == "postgresql":
        conn.commit()
        conn.execute("SET maintenance_work_mem = '512MB'")
        for _schema, name, definition in indexes:
            t = time.monotonic()
            conn.execute(definition)
            conn.commit()
            gen.log(f"index {name} rebuilt in {time.monotonic() - t:.1f}s")
        for table in TABLES:
            if "id" in TABLES[table]:
                conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
                )
        conn.commit()
        conn.autocommit = True
        # VACUUM too: a live database is vacuumed by autovacuum, and index-only scans (the
        # month figures' contacts) need the visibility map it sets
        conn.execute("VACUUM ANALYZE")
        gen.log("VACUUM ANALYZE done")
        conn.close()
    else:
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
        conn.close()
    corrections = result["corrections"]
    rs = result["resettlement"]
    long_contacts, long_id = gen.long_case
    long_case = next(c for c in corrections if c.id == long_id) if long_id else None
    status_counts: dict[str, int] = {}
    for c in corrections:
        status_counts[c.status] = status_counts.get(c.status, 0) + 1
    rs_counts: dict[str, int] = {}
    for c in rs:
        rs_counts[c.status] = rs_counts.get(c.status, 0) + 1
    summary = {
        "size": size,
        "scale": scale,
        "seed": seed,
        "today": today.isoformat(),
        "dialect": dialect,
        "database": make_url(url).database
        if dialect == "postgresql"
        else os.path.basename(make_url(url).database),
        "seconds": round(time.monotonic() - started, 1),
        "counts": {t: n for t, n in sink.counts.items() if n},
        "correction_statuses": status_counts,
        "correction_overdue_planned": sum(1 for c in corrections if c.overdue),
        "resettlement_statuses": rs_counts,
        "long_history_case_id": long_id,
        "long_history_contacts": long_contacts,
        "long_history_officer": gen.usernames.get(long_case.officers[-1][1]) if long_case else None,
        "password": PASSWORD,
    }
    # last_generate.json, plus one file per database (generate_postgresql_bench_province.json …) so a
    # runner can find the summary of each database it measures.
    stem = os.path.splitext(summary["database"] or "db")[0]
    paths = (
        [json_path]
        if json_path
        else [
            os.path.join(HERE, "last_generate.json"),
            os.path.join(HERE, f"generate_{dialect}_{stem}.json"),
        ]
    )
    for path in paths:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(summary, fh, ensure_ascii=False, indent=1)
    print(json.dumps(summary, ensure_ascii=False), flush=True)
    return summary


def _month_ends(engine, facts, rules, today: date) -> tuple:
    """(month_ends_from, month_ends_to, overdue_month_ends) as the app stores them."""
    first, last, overdue = engine.overdue_month_ends(facts, rules, today)
    return first, last, " ".join(d.isoformat() for d in overdue)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--size", choices=sorted(SIZES), required=True)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reset", action="store_true", help="drop and recreate the database first")
    parser.add_argument(
        "--today", type=date.fromisoformat, default=None, help="default: clock.today()"
    )
    args = parser.parse_args(argv)
    generate(args.database_url, args.size, args.scale, args.seed, args.reset, args.today)
    return 0


if __name__ == "__main__":
    sys.exit(main())
