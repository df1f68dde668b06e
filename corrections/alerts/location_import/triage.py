"""From the rows to the three lists (docs/domain.md §7.11): the rows matched to the cases in
scope and aggregated per person and day, then the rules that list the days."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from corrections.alerts import areas
from corrections.alerts.location_import.reading import (
    _ID_RE,
    HEADER_SEARCH_ROWS,
    LISTS,
    MAX_DAYS,
    ImportFileError,
    _blank,
    _max_rows,
    _number,
    check_mapping,
    guess_mapping,
    parse_flag,
    parse_status,
    parse_time,
    recognise,
)
from corrections.alerts.models import LocationImportMapping
from corrections.auth.models import Station, User
from corrections.auth.scope import scope
from corrections.extensions import db
from corrections.people import privacy
from corrections.people.models import Person
from corrections.rules.tables import deadline
from corrections.supervision.models import CorrectionCase

# --------------------------------------------------------------------------- result


@dataclass
class Result:
    dry_run: bool
    filename: str
    encoding: str | None = None
    headers: list[str] = field(default_factory=list)
    mapping: dict[int, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    rows: int = 0
    matched: int = 0
    duplicates: int = 0
    unmatched: list[dict] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)
    items: list[dict] = field(default_factory=list)
    first_day: date | None = None
    last_day: date | None = None
    alerts_created: int = 0
    refused: str | None = None

    @property
    def lists(self) -> dict[str, int]:
        counts = {k: 0 for k in LISTS}
        for item in self.items:
            counts[item["kind"]] += 1
        return counts

    def by_kind(self, kind: str) -> list[dict]:
        return [i for i in self.items if i["kind"] == kind]


def result_json(result: Result) -> dict:
    return {
        "dry_run": result.dry_run,
        "rows": result.rows,
        "matched": result.matched,
        "unmatched": result.unmatched,
        "duplicates": result.duplicates,
        "problems": result.problems,
        "encoding": result.encoding,
        "mapping": {result.headers[i]: f for i, f in sorted(result.mapping.items())},
        "ignored_columns": result.ignored_columns,
        "first_day": result.first_day.isoformat() if result.first_day else None,
        "last_day": result.last_day.isoformat() if result.last_day else None,
        "lists": result.lists,
        "items": [{k: v for k, v in i.items() if k != "lines_all"} for i in result.items],
        "alerts_created": result.alerts_created,
    }


@dataclass
class _Day:
    checks: int = 0
    ok: int = 0
    outside: list = field(default_factory=list)  # (line, reason)
    off_body: bool = False
    positions: list = field(default_factory=list)  # (lat, lon, hour, minute, line)
    first_line: int = 0


# --------------------------------------------------------------------------- the run


def remembered_mapping(unit_id: int) -> dict[str, str] | None:
    row = db.session.execute(
        select(LocationImportMapping).where(LocationImportMapping.unit_id == unit_id)
    ).scalar_one_or_none()
    return dict(row.mapping) if row else None


def _cases_in_scope(user: User) -> dict[str, tuple]:
    query = scope(
        select(
            Person.id_number,
            CorrectionCase.id,
            CorrectionCase.station_id,
            Person.id,
            Person.name,
        )
        .join(Person, Person.id == CorrectionCase.person_id)
        .where(CorrectionCase.status == "active"),
        user,
        CorrectionCase,
    )
    return {row[0]: tuple(row[1:]) for row in db.session.execute(query)}


def _read(user: User, result: Result, rows: Iterator[list[Any]], override) -> None:
    remembered = remembered_mapping(user.unit_id) if user.unit_id else None
    header_at = _find_header(rows, override or remembered)
    result.mapping = _mapping_for(result, header_at[1], override, remembered)
    reader = _Reader(user, result)
    line = header_at[0] + 1
    for row in rows:
        line += 1
        reader.row(row, line)
    reader.finish()
    _triage(user, result, reader.cases, reader.days)


def _find_header(rows: Iterator[list[Any]], known) -> tuple[int, list[Any]]:
    """(index, row) of the header among the first rows; the rows after it stay in ``rows``."""
    for index, row in enumerate(rows):
        if _is_header(row, known):
            return index, row
        if index + 1 >= HEADER_SEARCH_ROWS:
            break
    raise ImportFileError(
        _("前%(n)d行中找不到表头：至少应有“身份证号”“核查时间”两列。", n=HEADER_SEARCH_ROWS)
    )


def _mapping_for(result: Result, header: list[Any], override, remembered) -> dict[int, str]:
    """The column → field mapping: the user's override, else the remembered or guessed one."""
    headers = ["" if h is None else str(h).strip() for h in header]
    result.headers = headers
    if override is not None:
        mapping = {}
        for i, h in enumerate(headers):
            if h in override:
                if override[h]:
                    mapping[i] = override[h]
            elif (key := recognise(h)) and key not in override.values():
                mapping[i] = key
        if len(set(mapping.values())) != len(mapping):
            raise ImportFileError(_("同一字段对应了多列，请检查列的对应关系。"))
    else:
        mapping = guess_mapping(headers, remembered)
    result.ignored_columns = [h for i, h in enumerate(headers) if i not in mapping and h]
    missing = check_mapping(mapping)
    if missing:
        raise ImportFileError(
            _(
                "缺少必需的列：%(m)s。文件的列为：%(h)s。请在页面上指定各列的含义后重试。",
                m="、".join(missing),
                h="、".join(h or "（空）" for h in headers),
            )
        )
    return mapping


class _Reader:
    """The data rows, one at a time: matched by ID number to the cases in scope and
    aggregated per case and day; unmatched numbers and unreadable cells are listed."""

    def __init__(self, user: User, result: Result):
        self.result = result
        self.col = {f: i for i, f in result.mapping.items()}
        self.cases = _cases_in_scope(user)
        self.stations = {s.id: s for s in db.session.execute(select(Station)).scalars()}
        self.area_cache: dict[int, Any] = {}
        self.max_rows = _max_rows()
        self.seen: set[int] = set()
        self.days: dict[int, dict[date, _Day]] = defaultdict(dict)  # case_id -> day -> aggregate
        self.unmatched: dict[str, dict] = {}
        self.first_day: date | None = None
        self.last_day: date | None = None

    def cell(self, row, key):
        i = self.col.get(key)
        return row[i] if i is not None and i < len(row) else None

    def problem(self, line: int, message: str) -> None:
        if len(self.result.problems) < 200:
            self.result.problems.append({"line": line, "message": message})

    def row(self, row: list[Any], line: int) -> None:
        result = self.result
        if not row or all(_blank(c) for c in row):
            return
        result.rows += 1
        if result.rows > self.max_rows:
            raise ImportFileError(
                _(
                    "文件超过%(n)d行（LOCATION_IMPORT_MAX_ROWS），请按日期拆分后分别导入。",
                    n=self.max_rows,
                )
            )
        raw_id = self.cell(row, "id_number")
        number = re.sub(r"\s+", "", str(raw_id or "")).upper()
        if isinstance(raw_id, float) and raw_id.is_integer():
            number = str(int(raw_id))
        fingerprint = hash(tuple("" if c is None else str(c).strip() for c in row))
        if fingerprint in self.seen:
            result.duplicates += 1
            return
        self.seen.add(fingerprint)
        found = self.cases.get(number)
        if found is None:
            self.no_match(number, line)
            return
        when = parse_time(self.cell(row, "time"))
        if when is None:
            self.problem(line, _("核查时间“%(v)s”无法识别", v=str(self.cell(row, "time"))[:30]))
            return
        self.matched(row, line, found, when)

    def no_match(self, number: str, line: int) -> None:
        reason = (
            _("身份证号格式不对")
            if not _ID_RE.match(number)
            else _("不是本单位（您管辖范围内）的在矫对象")
        )
        entry = self.unmatched.setdefault(
            number or "—", {"line": line, "id_number": number, "rows": 0, "reason": reason}
        )
        entry["rows"] += 1

    def matched(self, row: list[Any], line: int, found: tuple, when) -> None:
        case_id, station_id, _person_id, _name = found
        lat, lon = _number(self.cell(row, "lat")), _number(self.cell(row, "lon"))
        if lat is not None and lon is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
            lat = lon = None
        if "status" in self.col:
            ok = parse_status(self.cell(row, "status"))
            if ok is None:
                self.problem(
                    line,
                    _(
                        "核查结果“%(v)s”无法识别，按未成功计",
                        v=str(self.cell(row, "status"))[:30],
                    ),
                )
                ok = False
        else:
            ok = lat is not None and lon is not None
        self.result.matched += 1
        day = when.date()
        first, last = self.first_day, self.last_day
        self.first_day = day if first is None or day < first else first
        self.last_day = day if last is None or day > last else last
        agg = self.days[case_id].get(day)
        if agg is None:
            agg = self.days[case_id][day] = _Day(first_line=line)
        agg.checks += 1
        if parse_flag(self.cell(row, "off_body")):
            agg.off_body = True
        if not ok:
            return
        agg.ok += 1
        if lat is not None and lon is not None:
            agg.positions.append((lat, lon, when.hour, when.minute, line))
        out_flag = parse_flag(self.cell(row, "out_of_area"))
        in_flag = parse_flag(self.cell(row, "in_area"))
        if out_flag or in_flag is False:
            agg.outside.append((line, _("%(t)s 平台标记越界", t=when.strftime("%H:%M"))))
        elif lat is not None and lon is not None and self.outside(station_id, lat, lon):
            agg.outside.append(
                (
                    line,
                    _(
                        "%(t)s 坐标（%(a).5f, %(b).5f）在辖区外",
                        t=when.strftime("%H:%M"),
                        a=lat,
                        b=lon,
                    ),
                )
            )

    def outside(self, station_id: int, lat: float, lon: float) -> bool:
        """Whether the point lies outside the area of the case's station."""
        if station_id not in self.area_cache:
            station = self.stations.get(station_id)
            self.area_cache[station_id] = areas.area_for(station) if station else None
        area = self.area_cache[station_id]
        return area is not None and not area.contains(lat, lon)

    def finish(self) -> None:
        result, first_day, last_day = self.result, self.first_day, self.last_day
        result.unmatched = sorted(self.unmatched.values(), key=lambda u: u["line"])
        result.first_day, result.last_day = first_day, last_day
        if first_day is not None and (last_day - first_day).days + 1 > MAX_DAYS:
            raise ImportFileError(
                _(
                    "文件覆盖%(n)d天，超过%(m)d天，请按日期拆分后分别导入。",
                    n=(last_day - first_day).days + 1,
                    m=MAX_DAYS,
                )
            )


def _is_header(row: list[Any], remembered: dict[str, str] | None) -> bool:
    known = 0
    for cell in row:
        if cell is None:
            continue
        text = str(cell).strip()
        if (remembered and remembered.get(text)) or recognise(text):
            known += 1
    return known >= 2


def _triage(user, result: Result, cases: dict, days: dict) -> None:
    if result.first_day is None:
        return
    by_case = {v[0]: v for v in cases.values()}
    on = result.last_day
    same = (deadline("location_same_position_days", on), deadline("location_same_position_m", on))
    night = (
        deadline("location_night_start_hour", on),
        deadline("location_night_end_hour", on),
        deadline("location_night_far_m", on),
    )
    person_ids = [by_case[c][2] for c in days]
    privacy.prefetch(user, person_ids)
    span = [
        result.first_day + timedelta(days=i)
        for i in range((result.last_day - result.first_day).days + 1)
    ]
    items = []
    for case_id in sorted(days):
        per_day = days[case_id]
        _cid, _station_id, person_id, name = by_case[case_id]
        found = [
            *_missing(per_day, span),
            *_outside(per_day),
            *_same_place(per_day, span, *same),
            *_far_at_night(per_day, *night),
        ]
        for kind, day, reason, line in found:
            items.append(
                {
                    "key": f"{kind}:{case_id}:{day.isoformat()}",
                    "kind": kind,
                    "case_id": case_id,
                    "person_id": person_id,
                    "name": privacy.display_name(user, person_id, name),
                    "day": day.isoformat(),
                    "reason": reason,
                    "line": line,
                }
            )
    # one item per case, kind and day (an anomaly of both rules on one day is one row)
    unique: dict[str, dict] = {}
    for item in items:
        if item["key"] in unique:
            unique[item["key"]]["reason"] += "；" + item["reason"]
        else:
            unique[item["key"]] = item
    result.items = sorted(
        unique.values(), key=lambda i: (LISTS.index(i["kind"]), i["day"], i["case_id"])
    )


def _missing(per_day: dict, span: list[date]) -> Iterator[tuple]:
    """location_missing: no successful check on a day the file covers."""
    for day in span:
        agg = per_day.get(day)
        if agg is None:
            yield "location_missing", day, _("当天没有核查记录"), None
        elif agg.ok == 0:
            yield (
                "location_missing",
                day,
                _("当天%(n)d次核查均未成功", n=agg.checks),
                agg.first_line,
            )


def _outside(per_day: dict) -> Iterator[tuple]:
    """outside_area: the first check of the day outside the area (and how many were)."""
    for day in sorted(per_day):
        agg = per_day[day]
        if agg.outside:
            line, reason = agg.outside[0]
            extra = _("（共%(n)d次）", n=len(agg.outside)) if len(agg.outside) > 1 else ""
            yield "outside_area", day, reason + extra, line


def _same_place(per_day: dict, span: list[date], same_days: int, same_m: float) -> Iterator:
    """location_anomaly (a): the same place for N days with the phone off-body."""
    run: list[tuple[date, tuple[float, float], int]] = []
    for day in span:
        agg = per_day.get(day)
        spot = _stationary(agg, same_m) if agg and agg.off_body else None
        if spot is None or (
            run
            and (
                run[-1][0] != day - timedelta(days=1)
                or areas.distance_m(*run[0][1], *spot) > same_m
            )
        ):
            run = []
        if spot is None:
            continue
        run.append((day, spot, agg.first_line))
        if len(run) == same_days:
            reason = _(
                "连续%(n)d天（%(a)s至%(b)s）位置不变且手机离身",
                n=same_days,
                a=run[0][0].isoformat(),
                b=day.isoformat(),
            )
            yield "location_anomaly", day, reason, run[0][2]


def _far_at_night(per_day: dict, night_start: int, night_end: int, far_m: float) -> Iterator:
    """location_anomaly (b): at night far from the usual position (the first such check of
    the day)."""
    home = _usual_position(per_day, night_start, night_end)
    if home is None:
        return
    for day in sorted(per_day):
        for lat, lon, hour, minute, line in per_day[day].positions:
            if not _is_night(hour, night_start, night_end):
                continue
            far = areas.distance_m(home[0], home[1], lat, lon)
            if far > far_m:
                reason = _(
                    "夜间%(t)s距常住位置%(k).1f公里", t=f"{hour:02d}:{minute:02d}", k=far / 1000
                )
                yield "location_anomaly", day, reason, line
                break


def _stationary(agg: _Day, within_m: float) -> tuple[float, float] | None:
    if not agg.positions:
        return None
    lat0, lon0 = agg.positions[0][0], agg.positions[0][1]
    for lat, lon, *_rest in agg.positions[1:]:
        if areas.distance_m(lat0, lon0, lat, lon) > within_m:
            return None
    return lat0, lon0


def _is_night(hour: int, start: int, end: int) -> bool:
    if start == end:
        return False
    if start > end:
        return hour >= start or hour < end
    return start <= hour < end


def _usual_position(per_day: dict, night_start: int, night_end: int):
    spots: Counter = Counter()
    exact: dict = {}
    for agg in per_day.values():
        for lat, lon, hour, _m, _line in agg.positions:
            if _is_night(hour, night_start, night_end):
                continue
            key = (round(lat, 3), round(lon, 3))
            spots[key] += 1
            exact.setdefault(key, (lat, lon))
    if sum(spots.values()) < 3:
        return None
    return exact[spots.most_common(1)[0][0]]


# --------------------------------------------------------------------------- raising
