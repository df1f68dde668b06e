"""The monthly report's data, shared by the PDF and the workbook: the month's figures and
the year to date for the user's stations (or one station), in printed order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from corrections import clock
from corrections.alerts.models import ALERT_KINDS
from corrections.auth.models import Station, User
from corrections.errors import ValidationFailed
from corrections.reports import figures
from corrections.reports import summary as summaries
from corrections.reports.printing import cn_date, cn_month, filing_unit, unit_name

# The printed order of the figures of docs/domain.md §5; a figure added to the registry later
# and not listed here is printed at the end of its kind's section.
PERIOD_SECTIONS: list[tuple[str, list[str]]] = [
    ("调查评估", ["cc.assessments_received", "cc.assessments_completed"]),
    (
        "社区矫正：接收与解除",
        [
            "cc.received",
            "cc.transferred_in",
            "cc.released",
            "cc.terminated",
            "cc.transferred_out",
            "cc.missed_intake",
        ],
    ),
    (
        "社区矫正：监督管理",
        ["cc.contacts", "cc.contacts_in_person", "cc.absconded_new", "cc.reoffended"],
    ),
    (
        "考核奖惩",
        [
            "cc.commendations",
            "cc.admonitions",
            "cc.warnings",
            "cc.police_penalty_requests",
            "cc.revocation_requests",
            "cc.custody_requests",
        ],
    ),
    (
        "教育帮扶",
        [
            "cc.education_sessions",
            "cc.education_attendances",
            "cc.public_service_sessions",
            "cc.public_service_attendances",
            "cc.counselling_attendances",
            "cc.assistance_attendances",
        ],
    ),
    (
        "预警处置",
        [
            f"{key}{suffix}"
            for key in ("cc.alerts_raised", "cc.alerts_closed", "cc.alerts_closed_on_time")
            for suffix in ("", *(f".{k}" for k in ALERT_KINDS))
        ],
    ),
    (
        "安置帮教",
        [
            "rs.notices_received",
            "rs.handed_over",
            "rs.escorted",
            "rs.contacts_in_person",
            "rs.assisted",
            "rs.subsistence",
            "rs.employment",
            "rs.ended",
        ],
    ),
]
STOCK_SECTION = "月末在册情况（时点数）"
STOCK_ORDER = [
    "cc.on_register",
    "cc.on_register.control",
    "cc.on_register.probation",
    "cc.on_register.parole",
    "cc.on_register.temporary_release",
    "cc.on_register.strict",
    "cc.on_register.normal",
    "cc.on_register.lenient",
    "cc.on_leave",
    "cc.overdue_return",
    "cc.absconded_open",
    "cc.overdue",
    "rs.on_register",
    "rs.on_register_key",
    "rs.on_register_gang",
    "rs.overdue",
]


def period_sections() -> list[tuple[str, list[str]]]:
    listed = {k for _title, keys in PERIOD_SECTIONS for k in keys}
    extra = [f.key for f in figures.FIGURES if f.kind == "period" and f.key not in listed]
    sections = [(t, [k for k in keys if k in figures.BY_KEY]) for t, keys in PERIOD_SECTIONS]
    if extra:
        sections.append(("其他", extra))
    return sections


def stock_keys() -> list[str]:
    listed = [k for k in STOCK_ORDER if k in figures.BY_KEY]
    return listed + [
        f.key for f in figures.FIGURES if f.kind == "stock" and f.key not in STOCK_ORDER
    ]


def label(key: str) -> str:
    """The printed label; the "of which" rows are indented."""
    text = figures.BY_KEY[key].label
    if text.startswith("其中"):
        return "　其中：" + text[2:]
    return text


def unit_of(key: str) -> str:
    return figures.BY_KEY[key].unit


@dataclass
class Monthly:
    user: User
    station_code: str | None
    stations: list[Station]
    start: date
    end: date
    year_start: date
    month: dict  # summary() of the month (frozen when the month is closed)
    ytd: dict  # summary() of 1 January .. month end

    @property
    def unit(self) -> str:
        return unit_name(self.stations)

    @property
    def place(self) -> str:
        """Who the totals cover, as the printed headings name it: the county by its name, a
        station or some stations by their names, several units as 各县（市、区） — the rule
        of the paragraph's place (docs/domain.md §7.8)."""
        return summaries.place_name(self.stations, named=True)

    @property
    def whole_units(self) -> bool:
        """Every station of the unit(s) in scope (several units are always whole)."""
        return summaries.place_name(self.stations) in ("全县", "各县（市、区）合计")

    @property
    def scope_label(self) -> str:
        if self.whole_units:
            return f"{self.place}（{len(self.stations)}个司法所）"
        return self.place

    @property
    def filing_unit(self) -> str:
        """Who signs and stamps the paper (填报单位): the station for one station, else the
        bureau; several bureaux fill it in by hand."""
        return filing_unit(self.stations)

    @property
    def ytd_text(self) -> str:
        """The year-to-date paragraph, naming the place it covers (docs/domain.md §7.8)."""
        return self.ytd["text"]

    @property
    def month_label(self) -> str:
        return cn_month(self.start)

    @property
    def title(self) -> str:
        return f"{self.unit} 社区矫正和安置帮教工作月报 {self.month_label}"

    @property
    def frozen(self) -> bool:
        return bool(self.month["frozen"])

    @property
    def in_progress(self) -> bool:
        """The month has not ended yet: stock figures are as of today's records."""
        return self.end >= clock.today()

    @property
    def ytd_label(self) -> str:
        return f"{cn_date(self.year_start)}至{cn_date(self.end)}"

    def column(self, result: dict, code: str | None) -> dict[str, int]:
        return result["figures"] if code is None else result["by_station"].get(code, {})


def parse_month(month_text: str | None) -> tuple[date, date]:
    start, end = summaries.month_range(month_text or "")
    if start > clock.today():
        raise ValidationFailed(_("该月份尚未开始。"), fields={"month": _("尚未开始")})
    return start, end


def monthly(user: User, month_text: str | None, station_code: str | None = None) -> Monthly:
    """The month and its year to date. A station out of scope is a 404 before a bad month
    is a 422 (docs/api.md's order)."""
    station_code = station_code or None
    stations = summaries.stations_in_scope(user, station_code)
    start, end = parse_month(month_text)
    if station_code is None and len(stations) == 1:
        station_code = stations[0].code  # an officer of one station: that station's report
    year_start = date(start.year, 1, 1)
    month, ytd = summaries.summaries(user, [(start, end), (year_start, end)], station_code)
    return Monthly(user, station_code, stations, start, end, year_start, month, ytd)
