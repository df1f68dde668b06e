"""The case list: scope, filters, badges; the person file lists the person's cases."""

from __future__ import annotations

import pytest

from tests.helpers import FEMALE_ID, MALE_ID  # noqa: F401
from tests.supervision.webhelpers import make_case, text

OTHER_ID = "330106199001011248"


@pytest.fixture
def cases(app, county, world, person_id, female_id):
    """张三: active at S1, overdue (last contact = reception 2026-01-10);
    李梅: expected at S1 and 漏管 (deadline 2026-11-15);
    王五: active at S2, past its term end."""
    wang = world.person("off2", OTHER_ID, name="王五", station="S2")
    ids = {
        "zhang": make_case(app, person_id),
        "li": make_case(
            app,
            female_id,
            received_on=None,
            judgment_effective_on="2026-11-05",
            term_start="2026-11-05",
            term_end="2027-11-04",
        ),
        "wang": make_case(
            app,
            wang,
            actor="off2",
            station="S2",
            received_on="2026-11-20",
            judgment_effective_on="2025-11-10",
            term_start="2025-11-10",
            term_end="2026-11-21",
            level="lenient",
        ),
    }
    return ids


@pytest.mark.parametrize(
    "who,seen",
    [
        ("off1", {"张三", "李梅"}),
        ("off2", {"王五"}),
        ("both", {"张三", "李梅", "王五"}),
        ("boss", {"张三", "李梅", "王五"}),
        ("viewer", {"张三", "李梅", "王五"}),
        ("admin", {"张三", "李梅", "王五"}),
        ("far", set()),
        ("farboss", set()),
    ],
)
def test_list_is_scoped(client, world, cases, who, seen):
    world.login(client, who)
    r = client.get("/corrections/")
    assert r.status_code == 200
    page = text(r)
    for name in {"张三", "李梅", "王五"}:
        assert (name in page) == (name in seen), name


def test_list_badges(client, world, cases):
    world.login(client, "boss")
    page = text(client.get("/corrections/"))
    assert "漏管" in page and "期满未解除" in page
    assert "逾期" in page  # 张三: nothing since reception on 2026-01-10


def test_id_numbers_masked_for_officers_full_for_supervisors(client, world, cases):
    world.login(client, "off1")
    page = text(client.get("/corrections/"))
    assert MALE_ID not in page and "3301**********123X" in page
    client.post("/logout")
    world.login(client, "boss")
    assert MALE_ID in text(client.get("/corrections/"))


def test_filters(client, world, cases):
    world.login(client, "boss")

    def names(query):
        page = text(client.get("/corrections/?" + query))
        return {n for n in ("张三", "李梅", "王五") if n in page.split('id="cases-table"')[1]}

    assert names("missed=1") == {"李梅"}
    assert names("overdue=1") == {"张三"}
    assert names("station=S2") == {"王五"}
    assert names("level=lenient") == {"王五"}
    assert names("status=expected") == {"李梅"}
    assert names("status=released") == set()
    assert names("q=王") == {"王五"}
    assert names("q=" + FEMALE_ID[-6:]) == {"李梅"}


def test_officer_can_filter_own_cases(client, world, cases):
    world.login(client, "both")
    page = text(client.get("/corrections/?mine=1"))
    assert "张三" not in page.split('id="cases-table"')[1]


def test_pagination(client, world, cases):
    world.login(client, "boss")
    page = text(client.get("/corrections/?per_page=2"))
    assert "1 / 2" in page and "共 3 条" in page


def test_person_page_lists_cases_in_scope_with_badges(client, world, cases, person_id, female_id):
    world.login(client, "off1")
    page = text(client.get(f"/people/{female_id}"))
    assert 'id="person-cases"' in page and "漏管" in page and "待报到" in page
    assert f"/corrections/{cases['li']}" in page
    assert 'id="new-correction-case"' not in page  # an open case already exists
    client.post("/logout")
    world.login(client, "viewer")
    page = text(client.get(f"/people/{person_id}"))
    assert f"/corrections/{cases['zhang']}" in page and "在矫" in page


def test_person_without_case_offers_intake(client, world, county):
    pid = world.person("off1", OTHER_ID, name="赵六", station="S1")
    world.login(client, "off1")
    page = text(client.get(f"/people/{pid}"))
    assert 'id="no-cases"' in page
    assert f"/corrections/new?person_id={pid}" in page
    client.post("/logout")
    world.login(client, "viewer")
    assert "new-correction-case" not in text(client.get(f"/people/{pid}"))
