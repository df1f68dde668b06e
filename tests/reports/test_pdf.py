"""The monthly printable summary: read back with pdftotext / pdffonts (poppler-utils)."""

import logging
import os
import re
import subprocess

import pytest
from sqlalchemy import select

from corrections.auth.models import Unit
from corrections.extensions import db
from corrections.reports import summary as summaries
from corrections.reports.pdf import monthly_pdf
from tests.helpers import user
from tests.reports.small_county import build

WQY = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"


@pytest.fixture
def small(app, world, county):
    return build(app, world)


def _text(data: bytes, tmp_path, layout=True) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    args = ["pdftotext"] + (["-layout"] if layout else []) + [str(path), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def _fonts(data: bytes, tmp_path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_pdf_holds_header_figures_paragraph_and_pages(app, ctx, small, tmp_path):
    data = monthly_pdf(user("boss"), "2026-10")
    assert data.startswith(b"%PDF")
    text = _text(data, tmp_path)
    assert "本县司法局 社区矫正和安置帮教工作月报" in text and "2026年10月" in text
    assert "本县司法局 社区矫正和安置帮教工作月报 2026年10月" in text  # running header, page 2+
    assert "数据状态：实时统计" in _flat(text)
    # the county table: 指标 | 单位 | 本月 | 本年累计 (张三's field visit in October)
    assert re.search(r"见面核查\s+人次\s+1\s+1\b", text)
    assert re.search(r"接收社区矫正对象\s+人\s+1\s+5\b", text)  # 李四; + 王芳 赵六 孙七 张三
    # the stock section spans both columns: on register at 2026-10-31
    assert re.search(r"在册社区矫正对象\s+人\s+3\s*$", text, re.M)
    # per-station tables name both stations
    assert "城关司法所" in text and "东山司法所" in text
    # the year-to-date paragraph, exactly as the summary gives it
    ytd = summaries.summary(user("boss"), *summaries.parse_period("2026-01-01", "2026-10-31"))
    assert ytd["text"].startswith("截至2026年10月31日")
    assert _flat(ytd["text"]) in _flat(_text(data, tmp_path, layout=False))
    # chart labels, page numbers, generation time
    assert "近12个月情况" in text and "月末在册社区矫正对象（人）" in text
    pages = re.findall(r"第\s*(\d+)\s*页\s*共\s*(\d+)\s*页", text)
    assert pages and pages[0] == ("1", pages[0][1]) and len(pages) == int(pages[0][1])
    assert re.search(r"生成时间：\d{4}-\d{2}-\d{2} \d{2}:\d{2}（北京时间）", text)


@pytest.mark.skipif(not os.path.isfile(WQY), reason="fonts-wqy-zenhei is not installed")
def test_truetype_font_is_embedded(app, ctx, county, tmp_path):
    app.config["CJK_FONT_PATH"] = WQY
    fonts = _fonts(monthly_pdf(user("boss"), "2026-10"), tmp_path)
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert rows and all("WenQuanYi" in r[0] and r[-5] == "yes" for r in rows), fonts
    assert "Helvetica" not in fonts


def test_falls_back_to_the_builtin_cid_font(app, ctx, county, tmp_path, caplog, monkeypatch):
    """Testing (and development) only: production refuses to start without an embeddable
    font (tests/reports/test_cjk_font_required.py). Reading the fallback's text back needs
    poppler-data (the Adobe-GB1 pack), which .ci/run installs."""
    # Alembic's logging set-up (the session's migrations) disables existing loggers
    monkeypatch.setattr(logging.getLogger("corrections"), "disabled", False)
    old = app.config.get("CJK_FONT_PATH")
    app.config["CJK_FONT_PATH"] = str(tmp_path / "missing.ttf")
    try:
        with caplog.at_level("WARNING", logger="corrections"):
            data = monthly_pdf(user("boss"), "2026-10")
    finally:
        app.config["CJK_FONT_PATH"] = old
    assert any("STSong-Light" in r.getMessage() for r in caplog.records)
    fonts = _fonts(data, tmp_path)
    assert "STSong-Light" in fonts and "WenQuanYi" not in fonts
    assert "社区矫正和安置帮教工作月报" in _text(data, tmp_path)


def test_closed_month_prints_the_stored_figures(app, ctx, small, tmp_path):
    unit = db.session.execute(select(Unit).where(Unit.is_default.is_(True))).scalar_one()
    summaries.close_month(user("boss"), unit, "2026-10")
    db.session.commit()
    from corrections.supervision import services as sv
    from corrections.supervision.models import CorrectionCase

    case = db.session.execute(select(CorrectionCase).order_by(CorrectionCase.id)).scalars().first()
    sv.record_contact(user("boss"), case, {"kind": "report_in_person", "occurred_on": "2026-10-30"})
    db.session.commit()
    text = _text(monthly_pdf(user("boss"), "2026-10"), tmp_path)
    assert "已关账（冻结数据）" in text
    assert re.search(r"见面核查\s+人次\s+1\s+2\b", text)  # month frozen at 1, the year live at 2
    assert "关账后记录变动" in text


def test_one_station_and_an_officer(app, ctx, small, tmp_path):
    text = _text(monthly_pdf(user("boss"), "2026-10", "S2"), tmp_path)
    assert "统计范围：东山司法所" in _flat(text) and "一、东山司法所主要数据" in text
    assert "城关司法所" not in text and "分所数据" not in text
    officer = _text(monthly_pdf(user("off1"), "2026-10"), tmp_path)
    assert "城关司法所主要数据" in officer and "东山司法所" not in officer


def test_api_monthly_pdf(app, world, small, tmp_path):
    api = world.api("boss")
    response = api.get("/reports/monthly.pdf?month=2026-10")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert "monthly-report-2026-10.pdf" in response.headers["Content-Disposition"]
    assert api.get("/reports/monthly.pdf?month=2026-10&station=S2").status_code == 200
    assert api.get("/reports/monthly.pdf?month=2026-13").status_code == 422
    assert api.get("/reports/monthly.pdf?month=202610").status_code == 422
    assert api.get("/reports/monthly.pdf").status_code == 422
    assert api.get("/reports/monthly.pdf?month=2027-01").status_code == 422  # not begun
    assert api.get("/reports/monthly.pdf?month=2026-10&station=T1").status_code == 404
    assert api.get("/reports/monthly.pdf?month=bad&station=T1").status_code == 404  # 404 first
    body = api.get("/reports/monthly.pdf?month=bad").get_json()
    assert body["error"]["fields"] == {"month": body["error"]["fields"]["month"]}
    officer = world.api("off1")
    assert officer.get("/reports/monthly.pdf?month=2026-10&station=S2").status_code == 404
    assert app.test_client().get("/api/v1/reports/monthly.pdf?month=2026-10").status_code == 401
    bad = app.test_client().get(
        "/api/v1/reports/monthly.pdf?month=2026-10", headers={"Authorization": "Bearer nope"}
    )
    assert bad.status_code == 401


def test_web_download(app, client, world, small):
    world.login(client, "boss")
    response = client.get("/reports/monthly.pdf?month=2026-10")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert client.get("/reports/monthly.pdf?month=2026-13").status_code == 422
    assert client.get("/reports/monthly.pdf?month=2026-10&station=T1").status_code == 404
    # without a month: last month
    assert client.get("/reports/monthly.pdf").status_code == 200
    anonymous = app.test_client().get("/reports/monthly.pdf?month=2026-10")
    assert anonymous.status_code == 302


def test_openapi_lists_the_downloads(app, world, county):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    for path, mime in (
        ("/reports/monthly.pdf", "application/pdf"),
        (
            "/reports/monthly.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ):
        ok = spec["paths"][path]["get"]["responses"]["200"]
        assert mime in ok["content"]
        assert set(spec["paths"][path]["get"]["responses"]) >= {"200", "401", "404", "422"}


def test_month_in_progress_is_marked(app, ctx, county, tmp_path):
    text = _flat(_text(monthly_pdf(user("boss"), "2026-11"), tmp_path))
    assert "本月尚未结束" in text and "2026年11月" in text


def test_unreadable_font_file_falls_back(app, tmp_path):
    from corrections.reports.printing import CID_FONT, cjk_font

    bad = tmp_path / "bad.ttf"
    bad.write_bytes(b"not a font")
    with app.app_context():
        font = cjk_font(str(bad))
        assert (font.name, font.embedded) == (CID_FONT, False)
        if os.path.isfile(WQY):
            assert cjk_font(WQY).embedded is True
