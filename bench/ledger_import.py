"""Benchmark: import a generated ledger (台账) of N rows (docs/performance.md, "ledger import").

    python -m bench.ledger_import --database-url sqlite:////tmp/ledger.db --rows 5000

Migrates the database (which should be empty), creates one station and a supervisor,
builds a CSV ledger of ``--rows`` clean rows (four in five open correction cases, the
rest resettlement) and times reading it, the dry run and the import; then times the refusal
of two .xlsx files of 500,000 cells over the caps (IMPORT_MAX_ROWS, IMPORT_MAX_COLUMNS).
Prints JSON; the suite's tests (tests/paperwork/test_ledger_import.py,
tests/security/test_import_limits.py) check what the import writes and what it refuses.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import time
from datetime import date

TODAY = date(2026, 11, 25)  # the rows' dates are of 2026

HEADERS = [
    "序号", "姓名", "性别", "公民身份号码", "民族", "联系电话", "户籍地", "居住地", "类别",
    "矫正类别", "罪名", "原判刑罚", "判决生效日期", "矫正期限起", "矫正期限止", "报到日期",
    "管理等级", "司法所", "最后一次见面", "释放日期", "原服刑场所", "是否重点", "衔接日期",
]  # fmt: skip


def _id_number(i: int) -> str:
    from stdnum.cn import ric

    body = f"11{(i // 1000) % 100:02d}0519{60 + i % 40:02d}0{1 + i % 9}1{i % 9}{i % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def ledger_csv(rows: int) -> bytes:
    """``rows`` clean ledger rows as a UTF-8 CSV with the usual headers."""
    correction = {
        "性别": "男", "民族": "汉族", "联系电话": "13800000000", "户籍地": "城关镇",
        "居住地": "城关镇一路1号", "类别": "社区矫正", "矫正类别": "缓刑", "罪名": "盗窃罪",
        "原判刑罚": "有期徒刑一年缓刑一年", "判决生效日期": "2026-01-05",
        "矫正期限起": "2026-01-05", "矫正期限止": "2027-01-04", "报到日期": "2026-01-10",
        "管理等级": "普管", "司法所": "S1", "最后一次见面": "2026-11-20", "释放日期": "",
        "原服刑场所": "", "是否重点": "", "衔接日期": "",
    }  # fmt: skip
    resettlement = {
        **correction,
        "类别": "安置帮教", "矫正类别": "", "罪名": "诈骗罪", "原判刑罚": "有期徒刑三年",
        "判决生效日期": "", "矫正期限起": "", "矫正期限止": "", "报到日期": "", "管理等级": "",
        "释放日期": "2026-09-01", "原服刑场所": "省第一监狱", "是否重点": "是",
        "衔接日期": "2026-09-02", "最后一次见面": "2026-11-01",
    }  # fmt: skip
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for i in range(rows):
        values = dict(resettlement if i % 5 == 4 else correction)
        values.update({"序号": i + 1, "姓名": f"对象{i}", "公民身份号码": _id_number(i)})
        writer.writerow([values[h] for h in HEADERS])
    return out.getvalue().encode("utf-8-sig")


def over_cap_xlsx(rows: int, columns: int) -> bytes:
    """A workbook of ``rows`` × ``columns`` numeric cells under a header row."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append((HEADERS * 10)[:columns])
    for _ in range(rows):
        sheet.append([1] * columns)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def refusal_s(li, data: bytes) -> float:
    """Seconds to refuse a file over the caps (it must be refused)."""
    started = time.perf_counter()
    try:
        li.read_table("over-cap.xlsx", data)
    except li.ImportFileError:
        return time.perf_counter() - started
    raise SystemExit("a file over the caps was accepted")


def run(database_url: str, rows: int) -> dict:
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from corrections import clock, create_app
    from corrections.auth import services as auth
    from corrections.extensions import db
    from corrections.paperwork import ledger_import as li
    from corrections.people.models import Person
    from corrections.seeds import seed_reference_data

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url})
    clock.set_today(TODAY)
    timings: dict[str, float] = {}
    try:
        with app.app_context():
            upgrade()
            seed_reference_data()
            auth.create_station(None, "S1", "城关司法所", auth.default_unit())
            boss = auth.create_user(None, "bench_boss", "correct-horse-9", "supervisor")
            db.session.commit()
            data = ledger_csv(rows)
            started = time.perf_counter()
            table = li.read_table("ledger.csv", data)
            mapping = li.guess_mapping(table.headers)
            timings["read_s"] = time.perf_counter() - started
            started = time.perf_counter()
            li.run_import(boss, table, mapping, dry_run=True, filename="ledger.csv")
            db.session.rollback()
            timings["dry_run_s"] = time.perf_counter() - started
            started = time.perf_counter()
            report = li.run_import(boss, table, mapping, dry_run=False, filename="ledger.csv")
            timings["import_s"] = time.perf_counter() - started
            people = db.session.execute(select(func.count()).select_from(Person)).scalar_one()
            # 500,000 cells over the caps, by rows and by columns: refused from the sheet's XML
            timings["refuse_250000_rows_s"] = refusal_s(li, over_cap_xlsx(250_000, 2))
            timings["refuse_100_columns_s"] = refusal_s(li, over_cap_xlsx(5_000, 100))
            db.engine.dispose()
    finally:
        clock.set_today(None)
    return {
        "rows": rows,
        "committed": bool(report.committed),
        "people": people,
        "database": database_url.split(":", 1)[0],
        **{k: round(v, 3) for k, v in timings.items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True, help="an empty database")
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args(argv)
    result = run(args.database_url, args.rows)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0 if result["committed"] else 1


if __name__ == "__main__":
    sys.exit(main())
