"""The monthly PDF and the legacy 统计表 as a county bureau signs, stamps and sends them up:
the sign-off block (填报单位（盖章）, 负责人, 审核人, 填表人, 报送日期), headings that name the
place as the report paragraph does, the generation time in the metadata too."""

from __future__ import annotations

import os
import re
import subprocess
from datetime import UTC, datetime

import pytest

from corrections import clock
from corrections.reports import legacy
from corrections.reports import summary as summaries
from corrections.reports.pdf import monthly_pdf
from tests.helpers import user
from tests.reports.small_county import build

PDF_OUT = os.environ.get("REPORTS_PDF_OUT")  # set to keep the PDFs for looking at
SIGN_OFF = ("填报单位（盖章）", "负责人", "审核人", "填表人", "报送日期")


@pytest.fixture
def small(app, world, county):
    return build(app, world)


def _keep(name: str, pdf: bytes) -> None:
    if PDF_OUT:
        os.makedirs(PDF_OUT, exist_ok=True)
        with open(os.path.join(PDF_OUT, name), "wb") as fh:
            fh.write(pdf)


def _text(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True)
    return out.stdout.decode()


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _info(pdf: bytes) -> dict[str, str]:
    out = subprocess.run(
        ["pdfinfo", "-isodates", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in out.splitlines())}


def _last_page(text: str) -> str:
    return text.split("\f")[-2] if text.count("\f") > 1 else text


@pytest.mark.parametrize(
    "who, station, heading, filing",
    [
        ("boss", None, "一、本县主要数据", "本县司法局"),  # the whole county, by its name
        ("boss", "S2", "一、东山司法所主要数据", "东山司法所"),
        ("off1", None, "一、城关司法所主要数据", "城关司法所"),
    ],
)
def test_monthly_pdf_names_its_place_and_ends_with_the_sign_off(
    app, ctx, small, monkeypatch, who, station, heading, filing
):
    """Given the monthly PDF of the county, of one station or of an officer's station, its
    first heading names the place like the paragraph (the county by its name, a station by
    its own), and the last page ends with the sign-off block naming the filing unit."""
    monkeypatch.setattr(clock, "now_utc", lambda: datetime(2026, 11, 25, 1, 2, 3, tzinfo=UTC))
    pdf = monthly_pdf(user(who), "2026-10", station)
    _keep(f"monthly-{who}-{station or 'all'}.pdf", pdf)
    text = _text(pdf)
    assert heading in text
    last = _flat(_last_page(text))
    for item in SIGN_OFF:
        assert item in last, item
    assert f"填报单位（盖章）：{filing}" in last
    assert "报送日期：______年____月____日" in last
    assert _info(pdf)["CreationDate"].startswith("2026-11-25T09:02:03+08")
    assert "生成时间：2026-11-2509:02（北京时间）" in _flat(text)  # a report keeps its footer


def test_place_name_rule_is_shared_by_the_paragraph_and_the_headings(app, ctx, small):
    """Given the same stations, the paragraph's place and the heading's are one rule: 全县 /
    the county's name, a station's name for both, 各县（市、区）合计 / 各县（市、区）."""
    from corrections.auth.models import Station
    from corrections.extensions import db

    stations = list(db.session.query(Station).order_by(Station.code))
    county = [s for s in stations if s.unit.is_default]
    assert summaries.place_name(county) == "全县"
    assert summaries.place_name(county, named=True) == "本县"
    assert summaries.place_name(county[:1]) == summaries.place_name(county[:1], named=True)
    everywhere = stations  # the county fixture has a second unit (邻县司法局)
    assert len({s.unit_id for s in everywhere}) > 1
    assert summaries.place_name(everywhere) == "各县（市、区）合计"
    assert summaries.place_name(everywhere, named=True) == "各县（市、区）"
    assert summaries.place_name([]) == ""


def test_legacy_pdf_ends_with_the_sign_off(app, ctx, small):
    """Given the legacy 统计表, its last page ends with the sign-off block; the meta line
    names the place (the filing unit is in the block, not twice)."""
    pdf = legacy.legacy_pdf(user("boss"), "2026-10")
    _keep("legacy-boss.pdf", pdf)
    text = _text(pdf)
    last = _flat(_last_page(text))
    for item in SIGN_OFF:
        assert item in last, item
    assert "填报单位（盖章）：本县司法局" in last
    assert "统计范围：本县" in _flat(text)
    officer = _flat(_text(legacy.legacy_pdf(user("off1"), "2026-10")))
    assert "填报单位（盖章）：城关司法所" in officer
