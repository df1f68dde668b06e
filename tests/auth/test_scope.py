"""scope(): officers see their stations, supervisors and viewers their unit, admins all."""

import pytest
from sqlalchemy import select

from corrections.auth.models import Station, User
from corrections.auth.scope import get_in_scope, scope
from corrections.errors import NotFound
from corrections.extensions import db
from corrections.people.models import Person


def _user(name):
    return db.session.execute(select(User).where(User.username == name)).scalar_one()


def _visible(username):
    user = _user(username)
    return set(db.session.execute(scope(select(Person.name), user, Person)).scalars())


@pytest.fixture
def registered(county, world):
    world.person("off1", "33010619900101123X", name="甲", station="S1")
    world.person("off2", "330106199001011248", name="乙", station="S2")
    world.person("far", "330726198506070028", name="丙", station="T1")
    world.person("boss", "33072619850607001X", name="丁")  # a supervisor, no station chosen
    return world


def test_officer_sees_people_registered_at_their_station(app, registered):
    with app.app_context():
        assert _visible("off1") == {"甲"}
        assert _visible("off2") == {"乙"}
        assert _visible("both") == {"甲", "乙"}
        assert _visible("far") == {"丙"}


def test_supervisor_and_viewer_see_their_unit(app, registered):
    with app.app_context():
        assert _visible("boss") == {"甲", "乙", "丁"}
        assert _visible("viewer") == {"甲", "乙", "丁"}
        assert _visible("farboss") == {"丙"}


def test_admin_sees_everyone(app, registered):
    with app.app_context():
        assert _visible("admin") == {"甲", "乙", "丙", "丁"}


def test_registrant_of_shared_station_grants_scope(app, county, world):
    # registered by "both" (S1+S2) choosing S2: S1-only officer also sees it via the registrant
    world.person("both", "33010619900101123X", name="戊", station="S2")
    with app.app_context():
        assert _visible("off2") == {"戊"}
        assert _visible("off1") == {"戊"}
        assert _visible("far") == set()


def test_get_in_scope_is_not_found_outside(app, registered):
    with app.app_context():
        pid = db.session.execute(select(Person.id).where(Person.name == "丙")).scalar_one()
        with pytest.raises(NotFound):
            get_in_scope(Person, pid, _user("off1"))
        assert get_in_scope(Person, pid, _user("far")).name == "丙"


def _codes(username):
    return set(db.session.execute(scope(select(Station.code), _user(username), Station)).scalars())


def test_station_scope(app, county):
    with app.app_context():
        codes = _codes
        assert codes("off1") == {"S1"}
        assert codes("boss") == {"S1", "S2"}
        assert codes("far") == {"T1"}
        assert codes("admin") == {"S1", "S2", "T1"}
