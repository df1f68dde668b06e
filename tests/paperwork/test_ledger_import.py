"""Importing existing ledgers (台账): mapping, dry run, all-or-nothing import, CLI, web."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from corrections.audit.models import AuditEvent
from corrections.extensions import db
from corrections.paperwork import ledger_import as li
from corrections.people.models import Person
from corrections.resettlement.models import ResettlementCase, ResettlementContact
from corrections.supervision.models import Contact, CorrectionCase
from tests.helpers import MALE_ID, open_case, user, valid_id


def make_id(birth: str, seq: str = "123", area: str = "110105") -> str:
    return valid_id(area, birth, seq)


ID_A = make_id("19850312", "011")
ID_B = make_id("19900720", "022")
ID_C = make_id("19780101", "031")

HEADERS = [
    "序号", "姓名", "性别", "公民身份号码", "民族", "联系电话", "户籍地", "居住地", "类别",
    "矫正类别", "罪名", "原判刑罚", "判决生效日期", "矫正期限起", "矫正期限止", "报到日期",
    "管理等级", "司法所", "最后一次见面", "释放日期", "原服刑场所", "是否重点", "衔接日期",
]  # fmt: skip


def row(**kw) -> list:
    base = {
        "序号": 1, "姓名": "王五", "性别": "男", "公民身份号码": ID_A, "民族": "汉族",
        "联系电话": "13800000000", "户籍地": "城关镇", "居住地": "城关镇一路1号",
        "类别": "社区矫正", "矫正类别": "缓刑", "罪名": "盗窃罪", "原判刑罚": "有期徒刑一年缓刑一年",
        "判决生效日期": "2026-01-05", "矫正期限起": "2026/1/5", "矫正期限止": "2027年1月4日",
        "报到日期": "2026.1.10", "管理等级": "普管", "司法所": "S1", "最后一次见面": "2026-11-20",
        "释放日期": "", "原服刑场所": "", "是否重点": "", "衔接日期": "",
    }  # fmt: skip
    base.update(kw)
    return [base[h] for h in HEADERS]


def resettlement_row(**kw) -> list:
    values = {
        "姓名": "赵六", "公民身份号码": ID_C, "类别": "安置帮教", "矫正类别": "", "罪名": "诈骗罪",
        "原判刑罚": "有期徒刑三年", "判决生效日期": "", "矫正期限起": "", "矫正期限止": "",
        "报到日期": "", "管理等级": "", "司法所": "城关司法所", "释放日期": "2026-09-01",
        "原服刑场所": "省第一监狱", "是否重点": "是", "衔接日期": "2026-09-02",
        "最后一次见面": "2026-11-01",
    }  # fmt: skip
    values.update(kw)
    return row(**values)


def clean_rows() -> list[list]:
    return [
        row(),
        row(
            **{
                "序号": 2,
                "姓名": "钱七",
                "公民身份号码": ID_B,
                "矫正类别": "假释",
                "管理等级": "严管",
                "最后一次见面": "",
            }
        ),  # fmt: skip
        resettlement_row(**{"序号": 3}),
    ]


def csv_bytes(rows: list[list], encoding: str = "utf-8-sig") -> bytes:
    import csv

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return buf.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list], title: str | None = "城关司法所社区矫正对象台账") -> bytes:
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
    sheet.append(HEADERS)
    for r in rows:
        sheet.append(r)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def counts() -> dict:
    return {
        m.__tablename__: db.session.execute(select(func.count()).select_from(m)).scalar_one()
        for m in (Person, CorrectionCase, ResettlementCase, Contact, AuditEvent)
    }


def run(actor: str, data: bytes, filename: str = "ledger.csv", dry_run: bool = False):
    table = li.read_table(filename, data)
    return li.run_import(
        user(actor), table, li.guess_mapping(table.headers), dry_run=dry_run, filename=filename
    )


# --------------------------------------------------------------------------- reading


def test_headers_recognised():
    mapping = li.guess_mapping(HEADERS)
    named = {HEADERS[i]: k for i, k in mapping.items()}
    assert named["公民身份号码"] == "id_number"
    assert named["姓名"] == "name"
    assert named["矫正期限起"] == "term_start"
    assert named["报到日期"] == "received_on"
    assert named["最后一次见面"] == "last_contact"
    assert named["类别"] == "programme"
    assert "序号" not in named
    assert li.recognise("身份证号 ") == "id_number"
    assert li.recognise("联系电话（手机）") == "phone"
    assert li.recognise("*矫正结束日期") == "term_end"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings(encoding):
    table = li.read_table("台账.csv", csv_bytes(clean_rows(), encoding))
    assert table.headers == HEADERS
    assert [cells[1] for _, cells in table.rows] == ["王五", "钱七", "赵六"]
    assert table.rows[0][0] == 2  # line numbers as in the spreadsheet


def test_xlsx_with_title_row_and_excel_dates():
    rows = [row(**{"判决生效日期": datetime(2026, 1, 5), "报到日期": date(2026, 1, 10)})]
    table = li.read_table("台账.xlsx", xlsx_bytes(rows))
    assert table.headers == HEADERS
    line, cells = table.rows[0]
    assert line == 3
    assert li.parse_date(cells[HEADERS.index("判决生效日期")]) == date(2026, 1, 5)


def test_unknown_file_type():
    with pytest.raises(li.ImportFileError):
        li.read_table("a.xls", b"\xd0\xcf")
    with pytest.raises(li.ImportFileError):
        li.read_table("a.csv", "甲,乙\n1,2\n".encode())


@pytest.mark.parametrize(
    "value",
    ["2026-01-05", "2026/1/5", "2026.1.5", "2026年1月5日", "20260105", 46027,
     datetime(2026, 1, 5, 0, 0), "2026-01-05 00:00:00"],
)  # fmt: skip
def test_date_formats(value):
    assert li.parse_date(value) == date(2026, 1, 5)


@pytest.mark.parametrize("value", ["2026-02-30", "2026年13月1日", "明年", "5/1/2026"])
def test_bad_dates(value):
    with pytest.raises(li.CellError):
        li.parse_date(value)


# --------------------------------------------------------------------------- dry run / import


def test_dry_run_lists_problems_and_writes_nothing(county, person_id, ctx):
    open_case(person_id)
    before = counts()
    rows = [
        row(**{"公民身份号码": ID_A[:-1] + ("1" if ID_A[-1] != "1" else "2")}),  # bad check
        row(**{"序号": 2, "公民身份号码": ID_B, "司法所": "不存在所"}),
        row(**{"序号": 3, "公民身份号码": ID_C, "司法所": "T1"}),  # out of scope
        row(**{"序号": 4, "公民身份号码": make_id("19700101", "041"), "矫正期限起": "2026-02-30"}),
        row(**{"序号": 5, "公民身份号码": make_id("19700101", "051"), "矫正期限止": "2025-01-01"}),
        row(**{"序号": 6, "公民身份号码": MALE_ID, "姓名": "张三"}),  # open case already
        row(**{"序号": 7, "公民身份号码": make_id("19700101", "061")}),
        row(**{"序号": 8, "公民身份号码": make_id("19700101", "061")}),  # duplicate in file
        row(**{"序号": 9, "公民身份号码": make_id("19700101", "071"), "矫正类别": "劳改"}),
    ]
    report = run("off1", csv_bytes(rows), dry_run=True)
    assert counts() == before
    db.session.rollback()
    assert counts() == before
    problems = {r.line: "；".join(r.problems) for r in report.rows}
    assert "校验" in problems[2] or "身份证号" in problems[2]
    assert "不存在" in problems[3]
    assert "管辖范围" in problems[4]
    assert "不存在" in problems[5] and "矫正期限起" in problems[5]
    assert "应晚于" in problems[6]
    assert "已有在矫" in problems[7]
    assert problems[8] == ""
    assert "与第8行重复" in problems[9]
    assert "矫正类别" in problems[10]
    assert len(report.problem_rows) == 8
    assert not report.committed


def test_clean_file_dry_run_then_import(county, ctx):
    before = counts()
    data = xlsx_bytes(clean_rows())
    dry = run("boss", data, "台账.xlsx", dry_run=True)
    assert dry.ok, [r.problems for r in dry.rows]
    assert counts() == before
    report = run("boss", data, "台账.xlsx")
    assert report.ok and report.committed
    assert report.summary() == {
        "rows": 3, "rows_with_problems": 0, "people": 3, "people_existing": 0,
        "correction_cases": 2, "resettlement_cases": 1, "handovers": 1, "contacts": 2,
    }  # fmt: skip
    db.session.rollback()
    after = counts()
    assert after["people"] == before["people"] + 3
    assert after["correction_cases"] == before["correction_cases"] + 2
    wang = db.session.execute(select(Person).where(Person.id_number == ID_A)).scalar_one()
    assert wang.sex == "male" and wang.phone == "13800000000"
    case = db.session.execute(
        select(CorrectionCase).where(CorrectionCase.person_id == wang.id)
    ).scalar_one()
    assert case.status == "active"
    assert case.correction_type == "probation" and case.level == "normal"
    assert case.received_on == date(2026, 1, 10) and case.term_end == date(2027, 1, 4)
    contact = db.session.execute(select(Contact).where(Contact.case_id == case.id)).scalar_one()
    assert contact.occurred_on == date(2026, 11, 20)
    qian = db.session.execute(select(Person).where(Person.id_number == ID_B)).scalar_one()
    qcase = db.session.execute(
        select(CorrectionCase).where(CorrectionCase.person_id == qian.id)
    ).scalar_one()
    assert qcase.correction_type == "parole" and qcase.level == "strict"
    zhao = db.session.execute(select(Person).where(Person.id_number == ID_C)).scalar_one()
    rcase = db.session.execute(
        select(ResettlementCase).where(ResettlementCase.person_id == zhao.id)
    ).scalar_one()
    assert rcase.status == "active" and rcase.is_key and rcase.source == "prison"
    assert rcase.handed_over_on == date(2026, 9, 2)
    rcontact = db.session.execute(
        select(ResettlementContact).where(ResettlementContact.case_id == rcase.id)
    ).scalar_one()
    assert rcontact.occurred_on == date(2026, 11, 1)
    actions = db.session.execute(select(AuditEvent.action)).scalars().all()
    assert actions.count("ledger.import") == 1
    assert actions.count("person.create") >= 3 and "resettlement.handover" in actions


def test_one_bad_row_imports_nothing(county, ctx):
    before = counts()
    rows = [*clean_rows(), row(**{"序号": 4, "公民身份号码": make_id("19700101", "081"),
                                  "报到日期": "2026-12-31"})]  # fmt: skip
    report = run("off1", csv_bytes(rows, "gbk"))
    assert not report.ok and not report.committed
    assert [r.line for r in report.problem_rows] == [5]
    assert "不能晚于今天" in report.problem_rows[0].problems[0]
    db.session.rollback()
    assert counts() == before


def test_duplicate_against_database_and_existing_person_reused(county, person_id, female_id, ctx):
    open_case(person_id)
    from tests.helpers import FEMALE_ID

    rows = [
        row(**{"公民身份号码": MALE_ID, "姓名": "张三"}),
        row(**{"序号": 2, "公民身份号码": FEMALE_ID, "姓名": "李梅"}),
    ]
    report = run("off1", csv_bytes(rows), dry_run=True)
    assert "已有在矫" in "".join(report.rows[0].problems)
    assert report.rows[1].problems == []
    assert report.people_existing == 2 and report.people == 0


def test_officer_default_station_and_viewer_refused(county, ctx):
    data = csv_bytes([row(**{"司法所": ""})])
    assert run("off1", data, dry_run=True).ok
    refused = run("both", data, dry_run=True)  # two stations: must say which
    assert "司法所" in refused.rows[0].problems[0]
    viewer = run("viewer", data, dry_run=True)
    assert "只读" in viewer.rows[0].problems[0]


def test_mapping_override_and_missing_columns(county, ctx):
    table = li.read_table("a.csv", csv_bytes(clean_rows()))
    mapping = li.guess_mapping(table.headers)
    mapping.pop(HEADERS.index("公民身份号码"))
    report = li.run_import(user("boss"), table, mapping, dry_run=True)
    assert "缺少“身份证号”列" in report.rows[0].problems
    mapping[HEADERS.index("公民身份号码")] = "id_number"
    mapping.pop(HEADERS.index("最后一次见面"))  # ignore a column
    report = li.run_import(user("boss"), table, mapping, dry_run=True)
    assert report.ok and report.contacts == 0


# --------------------------------------------------------------------------- CLI


def test_cli_dry_run(app, county, tmp_path):
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(clean_rows()))
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx_bytes([row(**{"公民身份号码": "123"})]))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import", str(good), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "试导入" in result.output and "共3行，有问题0行" in result.output
    result = runner.invoke(args=["import", str(bad), "--dry-run"])
    assert result.exit_code == 1
    assert "第3行 王五：身份证号" in result.output
    result = runner.invoke(args=["import", str(good)])
    assert result.exit_code != 0 and "--user" in result.output
    with app.app_context():
        assert counts()["people"] == 0
    result = runner.invoke(args=["import", str(good), "--user", "boss"])
    assert result.exit_code == 0, result.output
    assert "已导入" in result.output
    with app.app_context():
        assert counts()["people"] == 3


# --------------------------------------------------------------------------- web


def _upload(client, data: bytes, filename: str):
    return client.post(
        "/import/",
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def test_web_flow(app, client, county):
    county.login(client, "off1")
    assert client.get("/import/").status_code == 200
    response = _upload(client, xlsx_bytes(clean_rows()), "台账.xlsx")
    assert response.status_code == 302
    mapping_url = response.headers["Location"]
    import_id = mapping_url.rstrip("/").split("/")[-2]
    page = client.get(mapping_url).get_data(as_text=True)
    assert "公民身份号码" in page and 'value="id_number" selected' in page
    form = {f"col-{i}": k for i, k in li.guess_mapping(HEADERS).items()}
    response = client.post(f"/import/{import_id}/dry-run", data=form)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "有问题 0 行" in body and "确认导入" in body
    progress = client.get(f"/import/{import_id}/progress").get_json()
    assert progress == {"done": 3, "total": 3, "state": "checked"}
    with app.app_context():
        assert counts()["people"] == 0
    response = client.post(f"/import/{import_id}/run")
    assert response.status_code == 200
    assert "导入完成" in response.get_data(as_text=True)
    with app.app_context():
        assert counts()["people"] == 3
    # a second run of the same upload is refused
    assert client.post(f"/import/{import_id}/run").status_code == 302
    with app.app_context():
        assert counts()["people"] == 3
    # someone else cannot see the upload
    other = app.test_client()
    county.login(other, "boss")
    assert other.get(f"/import/{import_id}/progress").status_code == 404


def test_web_dry_run_shows_problems_and_run_refused(app, client, county):
    county.login(client, "boss")
    response = _upload(client, csv_bytes([row(**{"司法所": "X9"})], "gbk"), "ledger.csv")
    import_id = response.headers["Location"].rstrip("/").split("/")[-2]
    form = {f"col-{i}": k for i, k in li.guess_mapping(HEADERS).items()}
    body = client.post(f"/import/{import_id}/dry-run", data=form).get_data(as_text=True)
    assert "“X9”不存在" in body and "确认导入" not in body
    assert client.post(f"/import/{import_id}/run").status_code == 302
    with app.app_context():
        assert counts()["people"] == 0


def test_web_bad_file_and_viewer(client, county):
    county.login(client, "boss")
    assert _upload(client, b"hello", "notes.txt").status_code == 422
    viewer = county.app.test_client()
    county.login(viewer, "viewer")
    assert viewer.get("/import/").status_code == 403
    assert _upload(viewer, csv_bytes(clean_rows()), "a.csv").status_code == 403


def test_xlsx_numeric_id_and_tab_separated_csv(county, ctx):
    report = run("boss", xlsx_bytes([row(**{"公民身份号码": 110105198503120000})]), "a.xlsx", True)
    assert "存成了数字" in report.rows[0].problems[0]
    text = "\n".join("\t".join(str(c) for c in r) for r in [HEADERS, *clean_rows()])
    table = li.read_table("a.csv", text.encode("gb18030"))
    assert table.headers == HEADERS and len(table.rows) == 3


# --------------------------------------------------------------------------- scale


def _ledger(n: int) -> list[list]:
    """``n`` clean rows: four in five open correction cases, the rest resettlement."""
    rows = []
    for i in range(n):
        number = make_id(f"19{60 + i % 40:02d}0{1 + i % 9}1{i % 9}", f"{i % 1000:03d}",
                         f"11{(i // 1000) % 100:02d}05")  # fmt: skip
        if i % 5 == 4:
            rows.append(resettlement_row(**{"序号": i + 1, "姓名": f"帮教{i}",
                                            "公民身份号码": number}))  # fmt: skip
        else:
            rows.append(row(**{"序号": i + 1, "姓名": f"对象{i}", "公民身份号码": number}))
    return rows


def test_large_import_commits_every_row_with_chained_audit_and_due_states(county, ctx):
    """Enough rows to cross the 500-case batches of the due-state refresh; the 5,000-row
    timing is a benchmark (bench/ledger_import.py, docs/performance.md), not a test."""
    n = 700
    data = csv_bytes(_ledger(n))
    before = counts()
    report = run("boss", data)
    assert report.ok, [r.problems for r in report.problem_rows][:3]
    assert report.committed
    db.session.rollback()
    after = counts()
    assert after["people"] == before["people"] + n
    assert after["correction_cases"] == before["correction_cases"] + n * 4 // 5
    assert after["resettlement_cases"] == before["resettlement_cases"] + n // 5
    # the deferred writes ended up as the per-row services would have left them
    from corrections.audit.services import verify_chain
    from corrections.resettlement import services as rs
    from corrections.supervision import services as ss

    assert verify_chain().ok
    events = db.session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
    assert events >= before["audit_events"] + n + n * 4 // 5 + n // 5 + 1
    cases = db.session.execute(select(CorrectionCase)).scalars().all()
    assert {c.next_due_on is not None for c in cases} == {True}
    assert not any(ss.refresh_due_state(c, date(2026, 11, 25)) for c in cases)
    rcases = db.session.execute(select(ResettlementCase)).scalars().all()
    assert not any(rs.refresh_due_state(c, date(2026, 11, 25)) for c in rcases)
    db.session.rollback()
