"""The supervisor's home page: today's numbers with links, the same numbers as the overview
dashboard and the figures, and the term-ending list on the effective term end (the reminder
job's definition)."""

from __future__ import annotations

import re

import pytest

from corrections.extensions import db
from corrections.reminders import dashboard
from corrections.reports import figures
from corrections.supervision import services as sv
from corrections.supervision.models import CorrectionCase
from tests.helpers import d, open_case, user, valid_id

TODAY = d("2026-11-25")


def _people(world, n):
    return [
        world.person("off1", valid_id(birth=f"198{i}0101", serial="12" + str(i)), name=f"测试{i}",
                     station="S1")
        for i in range(n)
    ]  # fmt: skip


@pytest.fixture
def scene(app, county, world):
    """Overdue cases (one also late back from leave), one 漏管, one pending sanction
    proposal, and three terms ending: probation on 12-20 (in), 暂外 on 12-20 on paper but
    moved 40 days by absconding (out), 暂外 on 11-20 on paper moved to 12-10 (in)."""
    ids = _people(world, 6)
    with app.app_context():
        late = open_case(ids[0], received_on="2026-11-01")
        open_case(ids[1], received_on="2026-11-10")
        open_case(
            ids[2], received_on=None, judgment_effective_on="2026-11-01", term_start="2026-11-01"
        )  # 漏管
        ending = open_case(ids[3], term_end="2026-12-20")
        moved_out = open_case(
            ids[4], correction_type="temporary_release", grounds="medical",
            term_end="2026-12-20",
        )  # fmt: skip
        moved_in = open_case(
            ids[5], correction_type="temporary_release", grounds="medical",
            term_end="2026-11-20",
        )  # fmt: skip
        for case, start, end in ((moved_out, "2026-10-01", "2026-11-10"),
                                 (moved_in, "2026-10-01", "2026-10-21")):  # fmt: skip
            incident = sv.open_incident(
                user("off1"), case, {"kind": "absconded", "occurred_on": start}
            )
            sv.close_incident(
                user("off1"), case, incident.id, {"closed_on": end, "outcome": "已找到"}
            )
        leave = sv.apply_leave(
            user("off1"),
            late,
            {"starts_on": "2026-11-15", "ends_on": "2026-11-19", "destination": "宁波",
             "reason": "work", "kind": "leave", "applied_on": "2026-11-12"},
        )  # fmt: skip
        sv.decide_leave(
            user("off1"), late, leave.id, {"approved": True, "decided_on": "2026-11-13"}
        )
        sv.record_sanction(
            user("off1"),
            ending,
            {"kind": "commendation", "proposed_on": "2026-11-24", "reason": "见义勇为"},
            propose=True,
        )
        db.session.commit()
        return {"late": late.id, "ending": ending.id, "out": moved_out.id, "in": moved_in.id}


def _tile(page: str, key: str) -> int:
    found = re.search(rf'id="tile-{key}".*?data-count="(\d+)"', page, re.S)
    assert found, key
    return int(found.group(1))


def test_home_numbers_equal_the_dashboard_and_the_figures(app, client, world, scene):
    world.login(client, "boss")
    page = client.get("/").get_data(as_text=True)
    with app.app_context():
        boss = user("boss")
        counts = dashboard.headline_counts(boss, TODAY)
        by_station, _ = dashboard.overdue_counts(boss, "correction", TODAY)
        returns = dashboard.overdue_returns(boss, TODAY)
        totals = figures.compute(
            TODAY, TODAY, None, keys=["cc.overdue", "cc.overdue_return"]
        ).totals
    assert _tile(page, "overdue") == counts["overdue"] == sum(n for *_, n in by_station) > 0
    assert _tile(page, "overdue") == totals["cc.overdue"]
    assert _tile(page, "returns") == len(returns) == totals["cc.overdue_return"] == 1
    assert _tile(page, "missed") == counts["missed_intake"] == 1
    pending = counts["pending_levels"] + counts["pending_sanctions"] + counts["pending_leave"]
    assert _tile(page, "pending") == pending == 1
    assert _tile(page, "ending") == 2
    # each number says where to act
    assert 'href="/dashboard"' in page and 'href="/corrections/approvals"' in page
    assert "/corrections/?missed=1" in page and "/dashboard?station=S1" in page
    # the overdue return is on the home page with its days late, not only on the case page
    block = page.split('id="sv-overdue-returns"')[1].split('id="sv-term-ending"')[0]
    assert f"/corrections/{scene['late']}#leave" in block and "逾期6天" in block
    # the overview shows the same numbers
    overview = client.get("/dashboard").get_data(as_text=True)
    assert 'id="overdue-returns"' in overview and 'id="overdue-cards"' in overview


def test_term_ending_uses_the_effective_term_end(app, client, world, scene):
    world.login(client, "boss")
    page = client.get("/").get_data(as_text=True)
    block = page.split('id="sv-term-ending"')[1]
    assert f"/corrections/{scene['ending']}" in block and "2026-12-20矫正期满" in block
    assert f"/corrections/{scene['in']}" in block and "2026-12-10矫正期满" in block
    assert f'/corrections/{scene["out"]}"' not in block
    with app.app_context():
        rows = dashboard.term_ending(user("boss"), TODAY)
        listed = {case.id: ends for case, ends in rows}
        assert listed == {scene["ending"]: d("2026-12-20"), scene["in"]: d("2026-12-10")}
        for case_id, ends in listed.items():  # the reminder job's definition, case by case
            assert sv.term_ending_on(db.session.get(CorrectionCase, case_id), TODAY) == ends
        out = db.session.get(CorrectionCase, scene["out"])
        assert sv.term_ending_on(out, TODAY) is None
        # the officer's list follows the same definition
        assert {c.id for c, _ in dashboard.my_day(user("off1"), TODAY)["term_ending"]} == set(
            listed
        )


@pytest.mark.parametrize("on, expected", [("2026-11-20", True), ("2026-11-21", True)])
def test_term_ending_edges_around_the_paper_term_end(app, scene, on, expected):
    """On and after the paper term end (11-20) the moved 暂外 case still ends soon (12-10)."""
    with app.app_context():
        case = db.session.get(CorrectionCase, scene["in"])
        assert (sv.term_ending_on(case, d(on)) is not None) is expected


def test_viewer_sees_numbers_but_no_approvals_tile(app, client, world, scene):
    world.login(client, "viewer")
    page = client.get("/").get_data(as_text=True)
    assert 'id="tile-overdue"' in page and 'id="tile-pending"' not in page


def test_officer_home_is_unchanged(app, client, world, scene):
    world.login(client, "off1")
    page = client.get("/").get_data(as_text=True)
    assert 'id="my-overdue"' in page and 'id="sv-tiles"' not in page


def test_reminders_read_in_english_when_the_page_is_english(app, client, world, scene):
    from corrections.reminders.jobs import run_job

    with app.app_context():
        run_job("daily_reminders", TODAY)
    world.login(client, "off1")
    chinese = client.get("/notifications/").get_data(as_text=True)
    assert "外出应于2026-11-19返回，至今未销假" in chinese
    client.get("/lang/en")
    english = client.get("/notifications/").get_data(as_text=True)
    assert "was due back from leave on 2026-11-19 and has not reported back" in english
    assert "至今未销假" not in english and "：" not in english.split('id="inbox"')[1]
    home = client.get("/").get_data(as_text=True)
    assert "至今未销假" not in home


def test_open_alerts_tile_counts_the_alerts_not_yet_closed(app, client, world, scene):
    from corrections.alerts import services as alerts

    with app.app_context():
        late = db.session.get(CorrectionCase, scene["late"])
        ending = db.session.get(CorrectionCase, scene["ending"])
        alerts.raise_alert(late, "overdue_return", cause="test:late")
        done = alerts.raise_alert(ending, "overdue_contact", cause="test:ending")
        boss = user("boss")
        for action in ("verify", "handle"):
            alerts.take_step(boss, done, {"action": action, "note": "已核实"})
        alerts.take_step(boss, done, {"action": "close", "note": "已说明", "outcome": "explained"})
        db.session.commit()
    world.login(client, "boss")
    page = client.get("/").get_data(as_text=True)
    assert _tile(page, "alerts") == 1  # the closed one is not counted
    assert 'href="/alerts/"' in page
