"""A closed month is stored per station and every user sees it summed over the stations in
their scope (docs/domain.md §7.8): the summary page, the API, the PDF and the workbook."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from corrections.auth.models import Station, Unit
from corrections.extensions import db
from corrections.reports import figures
from corrections.reports import summary as summaries
from corrections.reports.models import ClosedMonth, ClosedMonthStation
from corrections.reports.pdf import monthly_pdf
from corrections.reports.workbook import monthly_workbook
from corrections.supervision import services as sv
from corrections.supervision.models import CorrectionCase
from tests.helpers import id_number, open_case, user
from tests.reports.small_county import build

OCT = (date(2026, 10, 1), date(2026, 10, 31))
API_OCT = "/reports/summary?from=2026-10-01&to=2026-10-31"
PAGE_OCT = "/reports/?period=month&month=2026-10"


def _ids(*codes: str) -> list[int]:
    return list(
        db.session.execute(
            select(Station.id).where(Station.code.in_(codes)).order_by(Station.code)
        ).scalars()
    )


def _live(*codes: str) -> dict[str, int]:
    return figures.compute(*OCT, _ids(*codes)).totals


def _unit(name: str | None = None) -> Unit:
    query = select(Unit).where(Unit.name == name) if name else select(Unit).where(Unit.is_default)
    return db.session.execute(query).scalar_one()


def _total(html: str, key: str) -> int:
    row = html.split(f'data-key="{key}"', 1)[1].split("</tr>", 1)[0]
    return int(re.search(r'total-col"><a[^>]*>(\d+)</a>', row).group(1))


def _pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "month.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def closed_october(app, world, county):
    """The small county (S1 and S2 of the default unit) plus an empty station S3 and an
    officer of S1 and S3; a case received at T1 (the other unit) in October. Both units
    close October; then a contact dated 2026-10-20 is entered at S2 (a later change).
    Returns the live figures per scope as they were when the months were closed."""
    build(app, world)
    world.station("S3", "西岭司法所")
    world.user("pair", "officer", ("S1", "S3"))
    far_person = world.person("far", id_number(31, "19880808"), name="钱二", station="T1")
    with app.app_context():
        far_case = open_case(
            far_person,
            actor="far",
            station="T1",
            received_on="2026-10-08",
            judgment_effective_on="2026-10-01",
            term_start="2026-10-01",
            term_end="2027-09-30",
        )
        for day in ("2026-10-09", "2026-10-16"):
            sv.record_contact(user("far"), far_case, {"kind": "field_visit", "occurred_on": day})
        db.session.commit()
        live = {
            "S1": _live("S1"),
            "S1+S3": _live("S1", "S3"),
            "unit": _live("S1", "S2", "S3"),
            "far": _live("T1"),
            "all": _live("S1", "S2", "S3", "T1"),
        }
        summaries.close_month(user("boss"), _unit(), "2026-10")
        summaries.close_month(user("farboss"), _unit("邻县司法局"), "2026-10")
        db.session.commit()
        sun = db.session.execute(
            select(CorrectionCase).where(CorrectionCase.station_id == _ids("S2")[0])
        ).scalars()
        moved = next(c for c in sun if c.status == "active")
        sv.record_contact(user("boss"), moved, {"kind": "phone", "occurred_on": "2026-10-20"})
        db.session.commit()
    return live


def test_the_small_county_tells_the_stations_apart(app, closed_october):
    """Given the fixture, the scopes' figures differ, so equal answers below mean something."""
    live = closed_october
    assert live["unit"]["cc.terminated"] == 1 and live["S1"]["cc.terminated"] == 0
    assert live["far"]["cc.received"] == 1 and live["unit"]["cc.received"] == 1
    assert live["all"]["cc.received"] == 2 and live["far"]["cc.contacts"] == 2


def test_api_officer_sees_only_their_stations_in_a_closed_month(app, world, closed_october):
    """Given October closed, when an officer asks for the summary without a station, then the
    stored figures of their stations only are returned (never the county's)."""
    live = closed_october
    body = world.api("off1").get(API_OCT).get_json()
    assert body["frozen"] is True and body["station"] is None
    assert body["figures"] == live["S1"]
    assert body["figures"]["cc.terminated"] == 0  # 赵六 died at S2
    assert body["text"].startswith("2026年10月，城关司法所开展调查评估0例，接收社区矫正对象1人")
    pair = world.api("pair").get(API_OCT).get_json()
    assert pair["frozen"] is True and pair["figures"] == live["S1+S3"]
    assert pair["text"].startswith("2026年10月，城关司法所、西岭司法所开展调查评估")
    # the later contact at S2 reaches neither, and S2's own officer sees S2's stored figures
    off2 = world.api("off2").get(API_OCT).get_json()
    with app.app_context():
        assert (
            off2["figures"]["cc.contacts"]
            == live["unit"]["cc.contacts"] - live["S1"]["cc.contacts"]
        )


def test_api_supervisor_sees_only_their_unit_and_admin_all(app, world, closed_october):
    """Given both units closed October, then a supervisor or viewer gets their unit's stored
    figures (without the other unit's case), the other unit's supervisor theirs, the admin
    the sum of all; the contact entered after the close changes none of them."""
    live = closed_october
    for who in ("boss", "viewer"):
        body = world.api(who).get(API_OCT).get_json()
        assert body["frozen"] is True and body["figures"] == live["unit"], who
        assert body["text"].startswith("2026年10月，全县开展调查评估")
    far = world.api("farboss").get(API_OCT).get_json()
    assert far["frozen"] is True and far["figures"] == live["far"]
    admin = world.api("admin").get(API_OCT).get_json()
    assert admin["frozen"] is True and admin["figures"] == live["all"]
    assert admin["text"].startswith("2026年10月，各县（市、区）合计开展调查评估")
    one = world.api("admin").get(API_OCT + "&station=T1").get_json()
    assert one["frozen"] is True and one["figures"] == live["far"]
    # a period that is not exactly the month stays live
    body = world.api("boss").get("/reports/summary?from=2026-10-01&to=2026-10-30").get_json()
    assert body["frozen"] is False and body["figures"]["cc.contacts"] == (
        live["unit"]["cc.contacts"] + 1
    )


def test_admin_sees_live_figures_until_every_unit_closed(app, world, county, person_id):
    """Given only the other unit closed October, then the admin's county-wide summary is live
    (not frozen) and the page names the unit that closed."""
    with app.app_context():
        summaries.close_month(user("farboss"), _unit("邻县司法局"), "2026-10")
        db.session.commit()
    body = world.api("admin").get(API_OCT).get_json()
    assert body["frozen"] is False
    assert world.api("far").get(API_OCT).get_json()["frozen"] is True


def test_summary_page_officer_and_supervisor_scopes(app, county, closed_october):
    """Given October closed, the page shows each user the stored figures of their scope;
    the later changes and differences list only what touches that scope."""
    live = closed_october
    client = county.login(app.test_client(), "off1")
    html = client.get(PAGE_OCT).get_data(as_text=True)
    assert 'id="frozen-badge"' in html
    for key in ("cc.terminated", "cc.received", "cc.contacts", "cc.on_register"):
        assert _total(html, key) == live["S1"][key], key
    assert "东山司法所" not in html and "邻县司法所" not in html
    chart = html.split('data-month="2026-10"', 1)[1].split("</g>", 1)[0]
    assert f"联系记录{live['S1']['cc.contacts']}次" in chart

    client = county.login(app.test_client(), "boss")
    html = client.get(PAGE_OCT).get_data(as_text=True)
    assert _total(html, "cc.contacts") == live["unit"]["cc.contacts"]
    assert _total(html, "cc.received") == live["unit"]["cc.received"]
    changes = html.split('id="changes-table"', 1)[1].split("</table>", 1)[0]
    assert "2026-10-20" in changes and "记录联系" in changes
    diff = html.split('id="diff-table"', 1)[1].split("</table>", 1)[0]
    row = diff.split('data-key="cc.contacts"', 1)[1].split("</tr>", 1)[0]
    stored = live["unit"]["cc.contacts"]
    assert re.findall(r">(\d+)</td>", row) == [str(stored), str(stored + 1)]
    # the same supervisor looking at S1 alone: that change is not S1's
    html = client.get(PAGE_OCT + "&station=S1").get_data(as_text=True)
    assert _total(html, "cc.contacts") == live["S1"]["cc.contacts"]
    assert 'id="no-changes"' in html and 'id="no-diffs"' in html

    client = county.login(app.test_client(), "farboss")
    html = client.get(PAGE_OCT).get_data(as_text=True)
    assert _total(html, "cc.received") == live["far"]["cc.received"]
    assert 'id="no-changes"' in html and 'id="no-diffs"' in html
    assert "城关司法所" not in html


def test_pdf_of_an_officer_covers_only_their_stations(app, ctx, closed_october, tmp_path):
    """Given October closed, when the officer of S1 and S3 prints the month, then the stored
    figures of S1 and S3 are printed (the death at S2 is not), and S2 is never named."""
    live = closed_october
    text = _pdf_text(monthly_pdf(user("pair"), "2026-10"), tmp_path)
    assert "已关账" in text and "东山司法所" not in text and "邻县" not in text
    assert "城关司法所" in text and "西岭司法所" in text
    assert re.search(r"终止社区矫正\s+人\s+0\s+0\b", text)
    assert re.search(rf"联系记录\s+次\s+{live['S1+S3']['cc.contacts']}\s", text)
    flat = re.sub(r"\s+", "", text)
    assert "截至2026年10月31日，城关司法所、西岭司法所开展调查评估" in flat
    # the supervisor's print holds the unit's stored figures and S2's death
    text = _pdf_text(monthly_pdf(user("boss"), "2026-10"), tmp_path)
    assert re.search(r"终止社区矫正\s+人\s+1\s+1\b", text) and "邻县" not in text
    assert re.search(rf"联系记录\s+次\s+{live['unit']['cc.contacts']}\s", text)
    # the other unit's supervisor: only T1's stored case and contacts, no station of ours
    text = _pdf_text(monthly_pdf(user("farboss"), "2026-10"), tmp_path)
    assert "已关账" in text and "城关" not in text and "东山" not in text
    assert re.search(r"接收社区矫正对象\s+人\s+1\s+1\b", text)
    assert re.search(r"终止社区矫正\s+人\s+0\s+0\b", text)
    assert re.search(rf"联系记录\s+次\s+{live['far']['cc.contacts']}\s", text)


def test_workbook_of_an_officer_covers_only_their_stations(app, ctx, closed_october):
    """Given October closed, the officer's workbook has their stations' stored columns only."""
    live = closed_october
    book = load_workbook(io.BytesIO(monthly_workbook(user("pair"), "2026-10")), read_only=True)
    rows = [list(r) for r in book["统计数据"].iter_rows(values_only=True)]
    header = rows[3]
    assert header[4:7] == ["本月·合计", "本月·城关司法所", "本月·西岭司法所"]
    assert not any("东山" in str(v) for r in rows for v in r if v)
    by_key = _by_key(rows)
    for key in ("cc.terminated", "cc.contacts", "cc.received", "rs.handed_over"):
        assert by_key[key][4] == live["S1+S3"][key], key
        assert by_key[key][5] == live["S1"][key] and by_key[key][6] == 0
    assert "已关账（冻结数据）" in str(rows[1][0])
    # a supervisor's workbook: their unit's stations, never the other unit's
    book = load_workbook(io.BytesIO(monthly_workbook(user("farboss"), "2026-10")), read_only=True)
    rows = [list(r) for r in book["统计数据"].iter_rows(values_only=True)]
    assert not any(n in str(v) for r in rows for v in r if v for n in ("城关", "东山", "西岭"))
    by_key = _by_key(rows)
    for key in ("cc.received", "cc.contacts", "cc.terminated"):
        assert by_key[key][4] == live["far"][key], key
    book = load_workbook(io.BytesIO(monthly_workbook(user("boss"), "2026-10")), read_only=True)
    rows = [list(r) for r in book["统计数据"].iter_rows(values_only=True)]
    assert not any("邻县" in str(v) for r in rows for v in r if v)
    by_key = _by_key(rows)
    assert [by_key["cc.contacts"][4]] == [live["unit"]["cc.contacts"]]


def _by_key(rows: list[list]) -> dict[str, list]:
    """The 统计数据 rows by figure key (the sheet names figures by their labels)."""
    from corrections.reports.monthly import label

    names = {label(k).strip("　"): k for k in figures.KEYS}
    return {names[r[1]]: r for r in rows[4:] if len(r) > 1 and r[1] in names}


def test_distinct_people_over_stations_count_each_person_once(app, ctx, county):
    """Given stored members per station, the figure over several stations is the size of
    their union; a month converted from before (no members) uses the unit's stored total over
    all its stations and the stations' sum over some of them."""
    s1, s2 = _ids("S1", "S2")
    keys = dict.fromkeys(figures.KEYS, 0)
    row = ClosedMonth(
        unit_id=_unit().id,
        month=OCT[0],
        figures={"total": dict(keys, **{"rs.assisted": 3})},
        closed_by_id=user("boss").id,
    )
    a = ClosedMonthStation(station_id=s1, figures=dict(keys, **{"rs.assisted": 2}))
    b = ClosedMonthStation(station_id=s2, figures=dict(keys, **{"rs.assisted": 2}))
    a.members, b.members = {"rs.assisted": [5, 7]}, {"rs.assisted": [7, 9]}
    row.station_rows += [a, b]
    db.session.add(row)
    db.session.flush()
    assert summaries._stored([row], [s1, s2]).totals["rs.assisted"] == 3  # 7 counted once
    assert summaries._stored([row], [s1]).totals["rs.assisted"] == 2
    a.members = b.members = None  # converted from a month closed before members were stored
    db.session.flush()
    assert summaries._stored([row], [s1, s2]).totals["rs.assisted"] == 3  # the unit's total
    assert summaries._stored([row], [s2]).totals["rs.assisted"] == 2
    # counts add up over stations
    a.figures = dict(keys, **{"cc.contacts": 4})
    b.figures = dict(keys, **{"cc.contacts": 5})
    db.session.flush()
    assert summaries._stored([row], [s1, s2]).totals["cc.contacts"] == 9


def test_demo_county_closed_months_equal_the_live_figures_in_every_scope(app, demo_county, ctx):
    """Given the demo county with September and October closed and nothing changed since,
    then for every demo user the stored month over their scope equals the live figures over
    the same stations, each station's column too, and counts add up over stations."""
    from corrections.demo import DEMO_USERS

    zhuguan = user("zhuguan")
    # October, and the last month before it in which people were assisted (a distinct figure)
    months = [OCT]
    for number in range(9, 0, -1):
        start = date(2026, number, 1)
        end = date(2026, number + 1, 1) - timedelta(days=1)
        if figures.compute(start, end, None, keys=["rs.assisted"]).totals["rs.assisted"]:
            months.append((start, end))
            break
    for start, _end in months:
        summaries.close_month(zhuguan, zhuguan.unit, start.strftime("%Y-%m"))
    db.session.commit()
    nonzero = set()
    for start, end in months:
        month = start.strftime("%Y-%m")
        for username, *_rest in DEMO_USERS:
            who = user(username)
            stored = summaries.summary(who, start, end)
            assert stored["frozen"] is True, (month, username)
            stations = stored["stations"]
            live = figures.compute(start, end, [s.id for s in stations])
            assert stored["figures"] == {k: live.totals.get(k, 0) for k in figures.KEYS}, (
                month,
                username,
            )
            for station in stations:
                assert stored["by_station"][station.code] == {
                    k: live.by_station.get(station.id, {}).get(k, 0) for k in figures.KEYS
                }
            for figure in figures.FIGURES:
                column = sum(stored["by_station"][s.code][figure.key] for s in stations)
                if figure.distinct_people:
                    assert stored["figures"][figure.key] <= column
                else:
                    assert stored["figures"][figure.key] == column, figure.key
            nonzero |= {k for k, v in stored["figures"].items() if v}
    assert {"cc.contacts", "cc.on_register", "rs.assisted", "rs.on_register"} <= nonzero


def test_months_closed_before_are_converted_by_the_migration(app, ctx, world, county, person_id):
    """Given a month closed before stations were stored (the figures in the JSON only),
    when the migration's conversion runs, then each station gets its stored row (members
    unknown) and an officer sees their station's stored figures, not the county's."""
    import importlib.util
    from pathlib import Path

    other = world.person("off2", id_number(33, "19900303"), name="孙丽", station="S2")
    case = open_case(person_id, received_on="2026-10-05", judgment_effective_on="2026-10-01",
                     term_start="2026-10-01", term_end="2027-09-30")  # fmt: skip
    sv.record_contact(user("off1"), case, {"kind": "field_visit", "occurred_on": "2026-10-10"})
    open_case(other, actor="off2", station="S2", received_on="2026-10-06",
              judgment_effective_on="2026-10-01", term_start="2026-10-01",
              term_end="2027-09-30")  # fmt: skip
    row = summaries.close_month(user("boss"), _unit(), "2026-10")
    db.session.flush()
    for station_row in list(row.station_rows):
        db.session.delete(station_row)
    db.session.flush()
    db.session.expire_all()
    assert summaries.summary(user("off1"), *OCT)["frozen"] is True  # no station rows: zeros
    versions = Path(__file__).resolve().parents[2] / "corrections" / "migrations" / "versions"
    path = next(versions.glob("*_reports_closed_months_store_figures_per_*"))
    spec = importlib.util.spec_from_file_location("per_station_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.convert(db.session.connection()) == 2  # S1 and S2
    assert module.convert(db.session.connection()) == 0  # once only
    db.session.expire_all()
    stored = db.session.execute(select(ClosedMonthStation)).scalars().all()
    assert {s.members for s in stored} == {None}
    officer = summaries.summary(user("off1"), *OCT)
    assert officer["frozen"] is True and officer["figures"]["cc.received"] == 1
    assert officer["figures"]["cc.contacts"] == 1
    boss = summaries.summary(user("boss"), *OCT)
    assert boss["figures"]["cc.received"] == 2
    assert db.session.execute(select(ClosedMonth)).scalar_one().figures["total"]["cc.received"] == 2
