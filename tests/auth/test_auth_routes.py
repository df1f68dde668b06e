"""Login, logout, throttling, password change, tokens, role pages."""

from sqlalchemy import select

from corrections.auth.models import ApiToken, User
from corrections.extensions import db
from tests.conftest import PASSWORD


def test_login_page_renders_in_chinese(client, county):
    response = client.get("/login")
    assert response.status_code == 200
    assert "登录" in response.get_data(as_text=True)


def test_home_requires_login(client, county):
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_login_and_logout(client, county):
    response = client.post("/login", data={"username": "off1", "password": PASSWORD})
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert "off1" in home.get_data(as_text=True)
    client.post("/logout")
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused_with_message(client, county):
    response = client.post("/login", data={"username": "off1", "password": "nope-nope"})
    assert response.status_code == 401
    assert "用户名或密码不正确" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_login_is_case_insensitive_on_username(client, county):
    response = client.post("/login", data={"username": "OFF1", "password": PASSWORD})
    assert response.status_code == 302


def test_open_redirect_is_refused(client, county):
    response = client.post(
        "/login?next=https://evil.example/x", data={"username": "off1", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/"


def test_successful_logins_do_not_count_against_the_limit(app, county):
    for _ in range(12):
        c = app.test_client()
        assert c.post("/login", data={"username": "off1", "password": PASSWORD}).status_code == 302


def test_deactivated_user_cannot_log_in(app, client, county, world):
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == "off2")).scalar_one()
        user.active = False
        db.session.commit()
    r = client.post("/login", data={"username": "off2", "password": PASSWORD})
    assert r.status_code == 401


def test_change_password_ends_other_sessions(app, county, world):
    first = world.login(app.test_client(), "off1")
    second = world.login(app.test_client(), "off1")
    r = first.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "brand-new-pw1",
            "confirm": "brand-new-pw1",
        },
    )
    assert r.status_code == 302
    assert first.get("/").status_code == 200  # the session that changed it stays in
    assert second.get("/").status_code == 302  # the other one is logged out
    fresh = app.test_client()
    ok = fresh.post("/login", data={"username": "off1", "password": "brand-new-pw1"})
    assert ok.status_code == 302


def test_change_password_wrong_current_writes_nothing(app, client, county, world):
    world.login(client, "off1")
    with app.app_context():
        before = db.session.execute(
            select(User.password_hash).where(User.username == "off1")
        ).scalar()
    r = client.post(
        "/account/password",
        data={
            "current_password": "wrong-one",
            "new_password": "brand-new-pw1",
            "confirm": "brand-new-pw1",
        },
    )
    assert r.status_code == 200
    assert "当前密码不正确" in r.get_data(as_text=True)
    with app.app_context():
        after = db.session.execute(
            select(User.password_hash).where(User.username == "off1")
        ).scalar()
    assert before == after


def test_token_page_shows_secret_once_and_stores_digest(app, client, county, world):
    import hashlib
    import re

    world.login(client, "off1")
    r = client.post("/account/tokens", data={"name": "手机"})
    text = r.get_data(as_text=True)
    secret = re.search(r'id="new-token">([^<]+)<', text).group(1)
    with app.app_context():
        token = db.session.execute(select(ApiToken)).scalar_one()
        assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
        assert secret not in (token.prefix + token.name)
        token_id = token.id
    listing = client.get("/account/tokens").get_data(as_text=True)
    assert secret not in listing
    api = app.test_client().get("/api/v1/people", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 200
    client.post(f"/account/tokens/{token_id}/revoke")
    api = app.test_client().get("/api/v1/people", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 401


def test_cannot_revoke_someone_elses_token(app, client, county, world):
    world.token("off2")
    with app.app_context():
        token_id = db.session.execute(select(ApiToken.id)).scalar_one()
    world.login(client, "off1")
    assert client.post(f"/account/tokens/{token_id}/revoke").status_code == 404
    with app.app_context():
        assert db.session.get(ApiToken, token_id).revoked_at is None


def test_language_switch(client, county, world):
    world.login(client, "off1")
    r = client.get("/lang/en?next=/people/", follow_redirects=True)
    assert r.status_code == 200
    assert "People" in r.get_data(as_text=True)
    r = client.get("/lang/zh?next=/people/", follow_redirects=True)
    assert "人员档案" in r.get_data(as_text=True)


def test_language_switch_refuses_offsite_next(client):
    r = client.get("/lang/en?next=https://evil.example/")
    assert r.headers["Location"] == "/"


def test_error_pages_use_layout(client, county, world):
    world.login(client, "off1")
    r = client.get("/no-such-page")
    assert r.status_code == 404
    text = r.get_data(as_text=True)
    assert "页面或记录不存在" in text and "navbar" in text


def test_admin_pages_are_admin_only(client, county, world):
    world.login(client, "boss")
    for path in ("/admin/users", "/admin/stations", "/admin/units", "/admin/audit/"):
        assert client.get(path).status_code == 403, path
