"""A small hand-built county for the printed reports (October 2026, today 2026-11-25).

Stations S1 and S2 of the default unit (the ``county`` fixture). Correction cases:

- 张三  man, 1990, 汉族, urban, college, employed; 缓刑, property; S1, received 2026-09-10;
        a field visit on 10-12, a commendation on 10-20, absconded on 10-25 (still open).
- 李四  man, 1960, 回族, rural, middle school, unemployed; 暂予监外执行, public safety; S1,
        received 2026-10-05 (this month); reoffended on 10-28.
- 王芳  woman, 1985, 汉族, urban, high school, employed; 缓刑, property; S1, received 2026-03-01,
        released (期满) on 2026-10-15.
- 赵六  man, 1975, 汉族, rural, primary, unemployed; 假释, social order; S2, received 2026-06-01,
        died 2026-10-20 (终止).
- 孙七  man, 2000, "汉", no 户籍/education recorded, student; 管制, no crime category; S1,
        received 2026-08-01, moved to S2 on 2026-10-10.
- 周八  man, 1980; 缓刑 at S1 from 2024-05-01, released 2025-05-01 (not on this year's register).
- 郑十  man, 1995; expected at S1 (notified 2026-10-28, not yet received).

Resettlement: 吴九 (man, 1970) released from prison 2026-10-01 at S1, handed over 10-03.
"""

from __future__ import annotations

from corrections.extensions import db
from corrections.supervision import services as sv
from tests.helpers import id_number, open_case, user
from tests.resettlement.rshelpers import make_rs_case

PEOPLE = {
    # name: (serial, birth, fields)
    "张三": (
        11,
        "19900101",
        {
            "ethnicity": "汉族",
            "household_type": "urban",
            "education": "college",
            "employment": "employed",
        },
    ),
    "李四": (
        13,
        "19600501",
        {
            "ethnicity": "回族",
            "household_type": "rural",
            "education": "middle_school",
            "employment": "unemployed",
        },
    ),
    "王芳": (
        22,
        "19850615",
        {
            "ethnicity": "汉族",
            "household_type": "urban",
            "education": "high_school",
            "employment": "employed",
        },
    ),
    "赵六": (
        15,
        "19750303",
        {
            "ethnicity": "汉族",
            "household_type": "rural",
            "education": "primary_or_less",
            "employment": "unemployed",
        },
    ),
    "孙七": (17, "20000707", {"ethnicity": "汉", "employment": "student"}),
    "周八": (19, "19800808", {"ethnicity": "汉族"}),
    "郑十": (21, "19951010", {"ethnicity": "汉族"}),
    "吴九": (23, "19700909", {"ethnicity": "汉族"}),
}


def ids() -> dict[str, str]:
    return {name: id_number(serial, birth) for name, (serial, birth, _f) in PEOPLE.items()}


def build(app, world) -> dict[str, int]:
    """Create the county's records; returns person ids by name."""
    numbers = ids()
    people = {
        name: world.person("boss", numbers[name], name=name, station="S1", **fields)
        for name, (_s, _b, fields) in PEOPLE.items()
    }
    with app.app_context():
        boss = user("boss")
        zhang = open_case(
            people["张三"],
            actor="boss",
            received_on="2026-09-10",
            judgment_effective_on="2026-09-01",
            term_start="2026-09-01",
            term_end="2027-08-31",
            crime="盗窃罪",
            crime_category="property",
            sentence="有期徒刑一年，缓刑一年",
        )
        sv.record_contact(boss, zhang, {"kind": "field_visit", "occurred_on": "2026-10-12"})
        sv.record_sanction(
            boss, zhang, {"kind": "commendation", "decided_on": "2026-10-20", "reason": "表现良好"}
        )
        sv.open_incident(boss, zhang, {"kind": "absconded", "occurred_on": "2026-10-25"})
        li = open_case(
            people["李四"],
            actor="boss",
            correction_type="temporary_release",
            grounds="medical",
            received_on="2026-10-05",
            judgment_effective_on="2026-10-01",
            term_start="2026-10-01",
            term_end="2027-09-30",
            crime="交通肇事罪",
            crime_category="public_safety",
        )
        sv.open_incident(boss, li, {"kind": "reoffended", "occurred_on": "2026-10-28"})
        wang = open_case(
            people["王芳"],
            actor="boss",
            received_on="2026-03-01",
            judgment_effective_on="2026-02-20",
            term_start="2026-02-20",
            term_end="2026-10-15",
        )
        sv.release_case(boss, wang, {"released_on": "2026-10-15", "reason": "expiry"})
        zhao = open_case(
            people["赵六"],
            actor="boss",
            station="S2",
            correction_type="parole",
            crime="寻衅滋事罪",
            crime_category="social_order",
            received_on="2026-06-01",
            judgment_effective_on="2026-05-20",
            term_start="2026-05-20",
            term_end="2027-05-19",
        )
        sv.terminate_case(boss, zhao, {"terminated_on": "2026-10-20", "reason": "death"})
        sun = open_case(
            people["孙七"],
            actor="boss",
            correction_type="control",
            crime="妨害公务罪",
            crime_category=None,
            received_on="2026-08-01",
            judgment_effective_on="2026-07-25",
            term_start="2026-07-25",
            term_end="2027-07-24",
        )
        sv.move_station(boss, sun, {"station": "S2", "moved_on": "2026-10-10"})
        zhou = open_case(
            people["周八"],
            actor="boss",
            received_on="2024-05-01",
            judgment_effective_on="2024-04-25",
            term_start="2024-04-25",  # probation starts on the judgment day (刑法 §73)
            term_end="2025-04-30",
        )
        sv.release_case(boss, zhou, {"released_on": "2025-05-01", "reason": "expiry"})
        open_case(
            people["郑十"],
            actor="boss",
            received_on=None,
            notified_on="2026-10-28",
            judgment_effective_on="2026-10-20",
            term_start="2026-10-20",
            term_end="2027-10-19",
        )
        db.session.commit()
    make_rs_case(
        app,
        people["吴九"],
        actor="boss",
        steps=[("handover", {"handed_over_on": "2026-10-03", "method": "family"})],
    )
    return people
