"""Password policy for new passwords: at least 10 characters, nothing common, nothing from
the account's own context; existing passwords keep working until changed."""

import pytest
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from corrections.auth import services
from corrections.auth.models import Station, Unit, User
from corrections.auth.passwords import MIN_LENGTH, check_new_password
from corrections.errors import ValidationFailed
from corrections.extensions import db
from tests.conftest import PASSWORD

CONTEXT = ["wangfang", "王芳", "示范县司法局", "城关司法所", "CG01"]


@pytest.mark.parametrize(
    "password",
    [
        "12345678",
        "password",
        "demo-2026",  # nine characters: one short
        "1234567890",
        "password12",
        "qwertyuiop",
        "a123456789",
        "woaini1314",
        "iloveyou123",
        "admin12345",
        "sifaju2026",
        "jiaozheng2026",
        "Passw0rd2026",
    ],
)
def test_given_a_short_or_common_password_then_it_is_refused(ctx, password):
    with pytest.raises(ValidationFailed) as refused:
        check_new_password(password, CONTEXT)
    assert refused.value.fields.keys() == {"password"}
    assert "密码" in refused.value.message


@pytest.mark.parametrize(
    "password",
    [
        "wangfang-2026-x",  # the user name
        "WangFang#20261125",  # the user name in other case
        "王芳王芳王芳王芳王芳",  # the name
        "示范县司法局-88a",  # the unit
        "城关司法所mountain7",  # the station
        "cg01",  # a station code, as it is (also too short)
    ],
)
def test_given_the_accounts_own_words_then_the_password_is_refused(ctx, password):
    with pytest.raises(ValidationFailed) as refused:
        check_new_password(password, CONTEXT, field="new_password")
    assert refused.value.fields.keys() == {"new_password"}


def test_given_the_users_own_words_then_the_message_says_so(ctx):
    with pytest.raises(ValidationFailed) as refused:
        check_new_password("wangfang-bamboo-47", CONTEXT)
    assert "用户名、姓名、单位或司法所" in refused.value.message


def test_given_nine_characters_then_refused_and_ten_strong_ones_accepted(ctx):
    with pytest.raises(ValidationFailed) as refused:
        check_new_password("k7#Qm2!zX", CONTEXT)  # 9: strong but short
    assert "至少10位" in refused.value.message
    assert MIN_LENGTH == 10
    check_new_password("k7#Qm2!zXw", CONTEXT)  # 10: accepted
    check_new_password("山路-茶杯-47-晴天", CONTEXT)
    check_new_password(PASSWORD, CONTEXT)


def test_given_a_very_long_passphrase_then_it_is_accepted_quickly(ctx):
    check_new_password("tea-kettle-river-lamp-" * 5, CONTEXT)  # 110 characters
    with pytest.raises(ValidationFailed):
        check_new_password("x" * 129, CONTEXT)


# --- every way of setting a password -------------------------------------------------


def test_given_the_admin_page_when_creating_a_user_with_their_name_in_it_then_refused_inline(
    app, client, county, world
):
    world.login(client, "admin")
    with app.app_context():
        unit_id = db.session.execute(select(Unit.id).where(Unit.is_default.is_(True))).scalar_one()
        s1 = db.session.execute(select(Station.id).where(Station.code == "S1")).scalar_one()
        before = db.session.execute(select(func.count()).select_from(User)).scalar()
    r = client.post(
        "/admin/users",
        data={
            "username": "zhaolei",
            "display_name": "赵磊",
            "password": "zhaolei-2026",
            "role": "officer",
            "unit": unit_id,
            "stations": [s1],
        },
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "含有账号信息" in html and 'value="zhaolei"' in html  # shown inline, typed kept
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(User)).scalar() == before


def test_given_the_station_name_in_a_new_password_then_creating_is_refused(ctx, county):
    station = services.station_by_code("S1")  # 城关司法所
    with pytest.raises(ValidationFailed):
        services.create_user(None, "liu", "城关司法所-2026-ok", "officer", stations=[station])


def test_given_a_common_password_when_changing_ones_own_then_refused_and_nothing_written(
    app, client, county, world
):
    world.login(client, "off1")
    with app.app_context():
        before = db.session.execute(
            select(User.password_hash).where(User.username == "off1")
        ).scalar()
    r = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": "1234567890", "confirm": "1234567890"},
    )
    assert r.status_code == 200
    assert "太容易被猜到" in r.get_data(as_text=True)
    r = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": "short-1", "confirm": "short-1"},
    )
    assert "至少10位" in r.get_data(as_text=True)
    with app.app_context():
        after = db.session.execute(
            select(User.password_hash).where(User.username == "off1")
        ).scalar()
    assert before == after


def test_given_an_admin_reset_with_a_weak_password_then_refused_and_nothing_written(
    app, client, county, world
):
    world.login(client, "admin")
    with app.app_context():
        user = services.user_by_username("off2")
        uid, before = user.id, user.password_hash
    r = client.post(f"/admin/users/{uid}/password", data={"new_password": "password"})
    assert r.status_code == 302
    page = client.get(f"/admin/users/{uid}").get_data(as_text=True)
    assert "至少10位" in page
    r = client.post(f"/admin/users/{uid}/password", data={"new_password": "off2-password-1"})
    assert "用户名、姓名、单位或司法所" in client.get(f"/admin/users/{uid}").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, uid).password_hash == before


def test_given_the_cli_with_a_weak_password_then_users_create_refuses(app):
    runner = app.test_cli_runner()
    r = runner.invoke(
        args=["users", "create", "boss2", "--role", "supervisor", "--password", "12345678"]
    )
    assert r.exit_code != 0
    assert "至少10位" in r.output
    with app.app_context():
        assert db.session.execute(select(User).where(User.username == "boss2")).first() is None


def test_given_an_old_short_password_then_it_still_logs_in_until_changed(app, client, county):
    with app.app_context():
        user = services.user_by_username("off1")
        user.password_hash = generate_password_hash("old-pw-8", method="pbkdf2:sha256:1000")
        db.session.commit()
    assert (
        client.post("/login", data={"username": "off1", "password": "old-pw-8"}).status_code == 302
    )
    r = client.post(
        "/account/password",
        data={"current_password": "old-pw-8", "new_password": "old-pw-9", "confirm": "old-pw-9"},
    )
    assert "至少10位" in r.get_data(as_text=True)


def test_given_the_demo_loader_then_its_users_are_created_with_a_password_that_passes(ctx):
    from corrections.demo import DEMO_PASSWORD

    check_new_password(DEMO_PASSWORD, ["admin", "zhuguan", "jiancha"])
