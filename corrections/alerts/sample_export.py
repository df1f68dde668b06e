"""Carrier-platform exports (信息化核查) made up for the demo, the tests and the benchmark:
the columns such platforms write, every person checked a few times a day, and the
situations the triage looks for planted where asked."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

HEADERS = [
    "序号",
    "姓名",
    "身份证号",
    "核查时间",
    "核查结果",
    "经度",
    "纬度",
    "是否越界",
    "人机分离",
]
CHECK_HOURS = (9, 14, 19)


@dataclass
class Person:
    id_number: str
    name: str
    home: tuple[float, float]  # (lat, lon)
    missing_days: set[date] = field(default_factory=set)  # every check fails
    absent_days: set[date] = field(default_factory=set)  # no rows at all
    outside_flag_days: set[date] = field(default_factory=set)  # platform says out of area
    outside_at: dict[date, tuple[float, float]] = field(default_factory=dict)  # a far position
    off_body_days: set[date] = field(default_factory=set)  # same place, phone off-body
    night_far: dict[date, tuple[float, float]] = field(default_factory=dict)  # 23:30 position


def rows(people: Iterable[Person], start: date, days: int, checks: Iterable[int] = CHECK_HOURS,
         seed: int = 7) -> Iterable[list]:  # fmt: skip
    """The data rows (without the header), ordered by time."""
    rnd = random.Random(seed)
    people = list(people)
    n = 0
    for offset in range(days):
        day = start + timedelta(days=offset)
        for hour in checks:
            for p in people:
                if day in p.absent_days:
                    continue
                n += 1
                when = datetime(day.year, day.month, day.day, hour, rnd.randrange(60))
                if day in p.missing_days:
                    yield [n, p.name, p.id_number, f"{when:%Y-%m-%d %H:%M:%S}", "定位失败",
                           "", "", "", ""]  # fmt: skip
                    continue
                lat, lon = p.home
                if day in p.off_body_days:
                    jitter = (0.0, 0.0)
                else:
                    jitter = (rnd.uniform(-0.004, 0.004), rnd.uniform(-0.004, 0.004))
                lat, lon = lat + jitter[0], lon + jitter[1]
                flag = "否"
                if day in p.outside_at and hour == checks_list(checks)[1]:
                    lat, lon = p.outside_at[day]
                if day in p.outside_flag_days and hour == checks_list(checks)[1]:
                    flag = "是"
                yield [n, p.name, p.id_number, f"{when:%Y-%m-%d %H:%M:%S}", "定位成功",
                       f"{lon:.6f}", f"{lat:.6f}", flag,
                       "是" if day in p.off_body_days else "否"]  # fmt: skip
        for p in people:
            if day in p.night_far and day not in p.absent_days:
                n += 1
                lat, lon = p.night_far[day]
                yield [n, p.name, p.id_number, f"{day:%Y-%m-%d} 23:30:00", "定位成功",
                       f"{lon:.6f}", f"{lat:.6f}", "否", "否"]  # fmt: skip


def checks_list(checks) -> list[int]:
    return list(checks)


def to_csv(data: Iterable[list], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    writer.writerows(data)
    return out.getvalue().encode(encoding)


def to_xlsx(data: Iterable[list]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("核查结果")
    sheet.append(HEADERS)
    for row in data:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
