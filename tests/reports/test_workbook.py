"""The monthly workbook: reopened with openpyxl; sheets, headers, figures, registers, masking."""

import io
from datetime import datetime

import pytest
from openpyxl import load_workbook

from corrections.people.idnumber import mask
from corrections.reports import workbook
from corrections.reports.figures import KEYS
from corrections.reports.monthly import label
from tests.helpers import user
from tests.reports.small_county import build, ids

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def small(app, world, county):
    return build(app, world)


def _open(data: bytes):
    return load_workbook(io.BytesIO(data), read_only=True)


def _rows(sheet):
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    width = max((len(r) for r in rows), default=0)
    return [r + [None] * (width - len(r)) for r in rows]


def _table(sheet, header_row: int):
    rows = _rows(sheet)
    header = rows[header_row - 1]
    body = [r for r in rows[header_row:] if any(v is not None for v in r)]
    return header, [dict(zip(header, r, strict=False)) for r in body]


def test_sheets_and_figures(app, ctx, small):
    book = _open(workbook.monthly_workbook(user("boss"), "2026-10"))
    assert book.sheetnames == [
        "统计数据",
        "社区矫正人员情况统计表",
        "社区矫正台账",
        "安置帮教台账",
        "预警处置台账",
    ]
    sheet = book["统计数据"]
    rows = _rows(sheet)
    assert rows[0][0] == "本县司法局 社区矫正和安置帮教工作月报 2026年10月 统计数据"
    header = rows[3]
    assert header[:4] == ["类别", "指标", "单位", "口径"]  # names, not keys
    assert header[4:7] == ["本月·合计", "本月·城关司法所", "本月·东山司法所"]
    assert header[7:] == ["本年累计·合计", "本年累计·城关司法所", "本年累计·东山司法所"]
    names = {label(k).strip("　"): k for k in KEYS}
    by_key = {names[r[1]]: r for r in rows[4:] if r[1] in names}
    assert set(by_key) == set(KEYS)
    assert not any(isinstance(v, str) and v in KEYS for r in rows for v in r)
    assert by_key["cc.assessments_received"][1] == "调查评估委托"
    assert by_key["cc.received"][1] == "接收社区矫正对象"
    assert by_key["cc.received"][4:] == [1, 1, 0, 5, 4, 1]  # 李四; this year S1 4, S2 赵六
    assert by_key["cc.on_register"][3] == "时点数（月末）"
    assert by_key["cc.on_register"][4:7] == [3, 2, 1]
    assert by_key["rs.handed_over"][4:7] == [1, 1, 0]
    assert any(r[0] and str(r[0]).startswith("截至2026年10月31日") for r in rows)


def test_legacy_sheet(app, ctx, small):
    book = _open(workbook.monthly_workbook(user("boss"), "2026-10"))
    rows = _rows(book["社区矫正人员情况统计表"])
    assert rows[3][:3] == ["单位", "上月在册", "本月增加"]
    items = rows[4]
    total = next(r for r in rows if r[0] == "合计")
    values = dict(zip(items[1:], total[1:], strict=True))
    assert values["上月在册"] == 4 and values["本月在册"] == 3 and values["期满解除"] == 1
    assert values["死亡"] == 1 and values["暂予监外执行"] == 1 and values["累计接收"] == 6


def test_correction_register_as_of_month_end(app, ctx, small):
    book = _open(workbook.monthly_workbook(user("boss"), "2026-10"))
    header, rows = _table(book["社区矫正台账"], 3)
    assert header == [t for t, _w in workbook.CC_COLUMNS]
    assert header == [
        "序号", "姓名", "性别", "身份证号", "出生日期", "民族", "矫正类别", "罪名", "原判刑罚",
        "矫正期限起", "矫正期限止", "接收日期", "管理等级", "司法所", "责任人", "状态",
        "解除/终止日期",
    ]  # fmt: skip
    names = [r["姓名"] for r in rows]
    # on the register at some point in 2026: not 周八 (ended 2025) nor 郑十 (not received)
    assert sorted(names) == sorted(["张三", "李四", "王芳", "赵六", "孙七"])
    assert [r["序号"] for r in rows] == [1, 2, 3, 4, 5]
    by_name = {r["姓名"]: r for r in rows}
    assert by_name["王芳"]["状态"] == "已解除" and by_name["王芳"]["性别"] == "女"
    assert by_name["王芳"]["解除/终止日期"] == datetime(2026, 10, 15)
    assert by_name["赵六"]["状态"] == "已终止（死亡）"
    assert by_name["李四"]["矫正类别"] == "暂予监外执行（保外就医）"
    assert by_name["张三"]["状态"] == "在矫" and by_name["张三"]["解除/终止日期"] is None
    assert by_name["张三"]["接收日期"] == datetime(2026, 9, 10)
    assert by_name["张三"]["原判刑罚"] == "有期徒刑一年，缓刑一年"
    assert by_name["孙七"]["司法所"] == "东山司法所"  # the station at month end
    assert by_name["孙七"]["民族"] == "汉"
    # supervisors see full ID numbers
    assert by_name["张三"]["身份证号"] == ids()["张三"]
    # as of September: 李四 not yet received, 王芳 still on the register
    september = _open(workbook.monthly_workbook(user("boss"), "2026-09"))
    _h, rows = _table(september["社区矫正台账"], 3)
    by_name = {r["姓名"]: r for r in rows}
    assert "李四" not in by_name and by_name["王芳"]["状态"] == "在矫"
    assert by_name["孙七"]["司法所"] == "城关司法所"


def test_resettlement_register(app, ctx, small):
    book = _open(workbook.monthly_workbook(user("boss"), "2026-10"))
    header, rows = _table(book["安置帮教台账"], 3)
    assert header[1:] == [
        "姓名", "性别", "身份证号", "来源", "原服刑场所", "释放日期", "衔接日期", "衔接方式",
        "是否重点", "帮教期满日", "安置情况", "状态", "司法所",
    ]  # fmt: skip
    assert len(rows) == 1
    row = rows[0]
    assert (
        row["姓名"] == "吴九"
        and row["来源"] == "监狱刑满释放"
        and row["原服刑场所"] == "省第一监狱"
    )
    assert row["释放日期"] == datetime(2026, 10, 1) and row["衔接日期"] == datetime(2026, 10, 3)
    assert row["衔接方式"] == "家属接回" and row["是否重点"] == "否" and row["状态"] == "帮教中"
    assert row["帮教期满日"] == datetime(2031, 10, 1) and row["司法所"] == "城关司法所"


def test_officers_get_masked_ids_supervisors_full(app, ctx, small):
    numbers = ids()
    officer = _open(workbook.monthly_workbook(user("off1"), "2026-10"))
    _h, rows = _table(officer["社区矫正台账"], 3)
    assert {r["姓名"] for r in rows} == {"张三", "李四", "王芳"}  # S1 at month end
    for r in rows:
        assert r["身份证号"] == mask(numbers[r["姓名"]]) and "*" in r["身份证号"]
    _h, rs_rows = _table(officer["安置帮教台账"], 3)
    assert rs_rows[0]["身份证号"] == mask(numbers["吴九"])
    viewer = _open(workbook.monthly_workbook(user("viewer"), "2026-10"))
    _h, rows = _table(viewer["社区矫正台账"], 3)
    assert all("*" in r["身份证号"] for r in rows)
    admin = _open(workbook.monthly_workbook(user("admin"), "2026-10"))
    _h, rows = _table(admin["社区矫正台账"], 3)
    assert {r["身份证号"] for r in rows} >= {numbers["张三"], numbers["王芳"]}


def test_registers_stream_in_batches(app, ctx, small, monkeypatch):
    """Register rows come from the database a batch at a time (yield_per), not as one list."""
    from corrections.extensions import db

    batches = []
    execute = db.session.execute

    def spy(statement, *args, **kwargs):
        size = statement.get_execution_options().get("yield_per")
        if size:
            batches.append(size)
        return execute(statement, *args, **kwargs)

    monkeypatch.setattr(db.session, "execute", spy)
    monkeypatch.setattr(workbook, "BATCH", 2)
    book = _open(workbook.monthly_workbook(user("boss"), "2026-10"))
    assert batches == [2, 2]  # the two registers
    _h, rows = _table(book["社区矫正台账"], 3)
    assert len(rows) == 5


def test_api_and_web_download(app, client, world, small):
    api = world.api("off1")
    response = api.get("/reports/monthly.xlsx?month=2026-10")
    assert response.status_code == 200 and response.mimetype == XLSX
    assert _open(response.data).sheetnames[0] == "统计数据"
    assert api.get("/reports/monthly.xlsx?month=2026-10&station=S2").status_code == 404
    assert api.get("/reports/monthly.xlsx?month=10-2026").status_code == 422
    assert app.test_client().get("/api/v1/reports/monthly.xlsx?month=2026-10").status_code == 401
    world.login(client, "boss")
    web = client.get("/reports/monthly.xlsx?month=2026-10&station=S1")
    assert web.status_code == 200 and web.mimetype == XLSX
    assert "monthly-report-2026-10-S1.xlsx" in web.headers["Content-Disposition"]


def test_every_sheet_prints_with_its_header_rows_frozen_and_repeated(app, ctx, small):
    """Given the monthly workbook, each sheet freezes its header rows, repeats them on every
    printed page (print titles), sets its column widths and prints landscape one page wide;
    the figures sheet and the legacy form end with the sign-off block."""
    book = load_workbook(io.BytesIO(workbook.monthly_workbook(user("boss"), "2026-10")))
    expected = {
        "统计数据": ("C5", "$4:$4"),
        "社区矫正人员情况统计表": ("B6", "$4:$5"),
        "社区矫正台账": ("C4", "$3:$3"),
        "安置帮教台账": ("C4", "$3:$3"),
    }
    for name, (freeze, titles) in expected.items():
        sheet = book[name]
        assert sheet.freeze_panes == freeze, name
        assert sheet.print_title_rows == titles, name
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
        assert sheet.column_dimensions["A"].width > 5 and sheet.column_dimensions["B"].width > 5
    figures_sheet = book["统计数据"]
    assert figures_sheet.column_dimensions["B"].width == 30  # the figure's name
    assert figures_sheet["B4"].value == "指标" and figures_sheet["B5"].value == "调查评估委托"
    for name in ("统计数据", "社区矫正人员情况统计表"):
        cells = [c.value for row in book[name].iter_rows() for c in row if c.value]
        texts = [str(v) for v in cells]
        assert "填报单位（盖章）：本县司法局" in texts, name
        for item in ("负责人：", "审核人：", "填表人：", "报送日期：　　　　年　　月　　日"):
            assert item in texts, (name, item)
    officer = load_workbook(io.BytesIO(workbook.monthly_workbook(user("off1"), "2026-10")))
    assert "填报单位（盖章）：城关司法所" in [
        c.value for row in officer["统计数据"].iter_rows() for c in row
    ]
