"""Case page: leave overlap and lapsed monitoring are refused inline with the typed values
kept, and nothing is written (docs/domain.md §7.3, §7.4). Today is 2026-11-25."""

import pytest

from corrections.supervision.models import Leave, MonitoringEpisode, MonitoringExtension
from tests.supervision.webhelpers import count, form, make_case, text


@pytest.fixture
def case_id(app, person_id):
    return make_case(app, person_id)


def _apply(client, case_id, starts, ends, destination):
    return client.post(
        f"/corrections/{case_id}/leaves",
        data=form(
            "leave",
            kind="leave",
            starts_on=starts,
            ends_on=ends,
            destination=destination,
            reason="family",
            applied_on="2026-11-20",
        ),
    )


def test_overlapping_leave_is_refused_inline_with_values_kept(app, client, world, case_id):
    world.login(client, "off1")
    assert _apply(client, case_id, "2026-12-01", "2026-12-05", "杭州").status_code == 302
    r = _apply(client, case_id, "2026-12-05", "2026-12-06", "宁波市鄞州区")
    page = text(r)
    assert r.status_code == 422
    assert "时间重叠" in page and "2026-12-01" in page
    assert 'value="宁波市鄞州区"' in page and 'value="2026-12-05"' in page
    assert count(app, Leave) == 1


def test_extension_after_the_end_is_refused_as_lapsed(app, client, world, case_id):
    world.login(client, "boss")
    r = client.post(
        f"/corrections/{case_id}/monitoring",
        data=form(
            "monitoring",
            ground="prohibition_breach",
            approved_by="王局长",
            starts_on="2026-08-01",
            ends_on="2026-10-31",
        ),
    )
    assert r.status_code == 302
    with app.app_context():
        from corrections.extensions import db

        eid = db.session.query(MonitoringEpisode.id).scalar()
    r = client.post(
        f"/corrections/{case_id}/monitoring/{eid}/extend",
        data=form(
            f"monitoring_extend{eid}",
            ends_on="2027-01-31",
            approved_by="王局长",
            extended_on="2026-11-01",
        ),
    )
    page = text(r)
    assert r.status_code == 422 and "不能再延长" in page and "2026-10-31" in page
    assert 'value="2027-01-31"' in page
    assert count(app, MonitoringExtension) == 0
    # A second episode sharing a day with the first is refused too.
    r = client.post(
        f"/corrections/{case_id}/monitoring",
        data=form(
            "monitoring",
            ground="prohibition_breach",
            approved_by="王局长",
            starts_on="2026-10-31",
            ends_on="2026-12-31",
        ),
    )
    assert r.status_code == 422 and "时间重叠" in text(r)
    assert count(app, MonitoringEpisode) == 1


def test_page_of_case_not_received_a_month_after_deadline_suggests_revocation(
    app, client, world, person_id
):
    expected = make_case(
        app,
        person_id,
        received_on=None,
        judgment_effective_on="2026-09-01",
        term_start="2026-09-01",
        term_end="2027-08-31",
    )
    world.login(client, "off1")
    page = text(client.get(f"/corrections/{expected}"))
    box = page[page.index('id="suggestions"') :]
    assert "超过报到期限一个月以上" in box
