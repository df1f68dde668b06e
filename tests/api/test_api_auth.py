"""Token authentication of the JSON API (docs/api.md: Auth, Errors)."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select, text

from corrections.auth import services
from corrections.auth.models import ApiToken, User
from corrections.extensions import db
from tests.helpers import error_of as assert_error


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/people"),
        ("get", "/api/v1/people/1"),
        ("post", "/api/v1/people"),
        ("patch", "/api/v1/people/1"),
        ("get", "/api/v1/stations"),
        ("post", "/api/v1/stations"),
    ],
)
def test_no_token_is_401_with_error_body(county, client, method, path):
    response = getattr(client, method)(path, json={"name": "x"})
    assert_error(response, 401, "unauthorized")


@pytest.mark.parametrize(
    "header",
    [
        "Bearer cc_not-a-real-token",
        "Bearer not-even-our-prefix",
        "Bearer ",
        "Bearer",
        "Basic YWRtaW46Y29ycmVjdC1ob3JzZS05",
        "cc_no-scheme-at-all",
        "",
    ],
)
def test_bad_token_is_401(county, client, header):
    response = client.get("/api/v1/people", headers={"Authorization": header})
    assert_error(response, 401, "unauthorized")


def test_token_of_another_scheme_is_401(county, client):
    secret = county.token("off1")
    response = client.get("/api/v1/people", headers={"Authorization": f"Token {secret}"})
    assert_error(response, 401)


def test_valid_token_authenticates_and_scheme_is_case_insensitive(county, client):
    secret = county.token("off1")
    for scheme in ("Bearer", "bearer", "BEARER"):
        response = client.get("/api/v1/people", headers={"Authorization": f"{scheme} {secret}"})
        assert response.status_code == 200, scheme
        assert response.get_json()["items"] == []


def test_tampered_token_is_401(county, client):
    secret = county.token("off1")
    tampered = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    response = client.get("/api/v1/people", headers={"Authorization": f"Bearer {tampered}"})
    assert_error(response, 401)


def test_revoked_token_is_401_and_other_tokens_still_work(county, app, client):
    first = county.token("off1")
    second = county.token("off1")
    with app.app_context():
        token = db.session.execute(
            select(ApiToken).where(ApiToken.digest == hashlib.sha256(first.encode()).hexdigest())
        ).scalar_one()
        services.revoke_token(services.user_by_username("admin"), token)
        db.session.commit()
    response = client.get("/api/v1/stations", headers={"Authorization": f"Bearer {first}"})
    assert_error(response, 401)
    response = client.get("/api/v1/stations", headers={"Authorization": f"Bearer {second}"})
    assert response.status_code == 200
    assert [s["code"] for s in response.get_json()["items"]] == ["S1"]


def test_deactivated_users_token_is_401(county, app, client):
    secret = county.token("off1")
    assert (
        client.get("/api/v1/people", headers={"Authorization": f"Bearer {secret}"}).status_code
        == 200
    )
    with app.app_context():
        admin = services.user_by_username("admin")
        user = services.user_by_username("off1")
        services.update_user(
            admin,
            user,
            version=user.version,
            role=user.role,
            display_name=user.display_name,
            stations=list(user.stations),
            unit=user.unit,
            active=False,
        )
        db.session.commit()
    response = client.get("/api/v1/people", headers={"Authorization": f"Bearer {secret}"})
    assert_error(response, 401)
    response = client.post(
        "/api/v1/people",
        headers={"Authorization": f"Bearer {secret}"},
        json={"name": "张三", "id_number": "110101199001011237"},
    )
    assert_error(response, 401)


def test_token_is_stored_as_sha256_digest_only(county, app):
    secret = county.token("off1")
    assert secret.startswith(services.TOKEN_PREFIX)
    with app.app_context():
        token = db.session.execute(select(ApiToken)).scalar_one()
        assert token.digest == hashlib.sha256(secret.encode("utf-8")).hexdigest()
        assert token.prefix == secret[:10]
        assert token.user.username == "off1"
        # The secret is in no column of the token table, nor in the audit log.
        for table in ("api_tokens", "audit_events"):
            rows = db.session.execute(text(f"SELECT * FROM {table}")).all()
            assert rows
            for row in rows:
                assert all(secret not in str(value) for value in row), table


def test_web_session_cookie_does_not_authenticate_the_api(county, client):
    county.login(client, "admin")
    assert_error(client.get("/api/v1/people"), 401)
    response = client.post("/api/v1/stations", json={"code": "X1", "name": "新所"})
    assert_error(response, 401)
    with county.app.app_context():
        assert services.station_by_code("X1") is None


def test_401_comes_before_every_other_error(county, client):
    # Would be 403 (viewer), 404 (missing), 400 (not JSON) or 422 (missing fields) with a token.
    assert_error(client.post("/api/v1/people", data="not json"), 401)
    assert_error(client.get("/api/v1/people/999999"), 401)
    assert_error(client.patch("/api/v1/people/999999", json={}), 401)
    assert_error(client.get("/api/v1/people?page=zero"), 401)
    assert_error(client.post("/api/v1/stations", json={}), 401)


def test_unknown_api_path_and_method_answer_json_errors(county, client):
    api = county.api("admin")
    assert_error(api.get("/no-such-thing"), 404, "not_found")
    assert_error(api.get("/people/abc"), 404, "not_found")
    response = api.client.delete("/api/v1/people", headers=api.headers)
    assert_error(response, 405, "method_not_allowed")
    # Without a token, 401 comes first even where there is no route.
    assert_error(client.get("/api/v1/no-such-thing"), 401, "unauthorized")
    assert_error(client.delete("/api/v1/people"), 401, "unauthorized")
    bad = {"Authorization": "Bearer cc_wrong"}
    assert_error(client.get("/api/v1/no-such-thing", headers=bad), 401)
    # The web UI's own 404 is untouched.
    assert client.get("/no-such-page").status_code == 404


def test_openapi_needs_no_token(county, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.get_json()["openapi"].startswith("3.")


def test_api_user_is_the_tokens_user(county, app):
    api = county.api("boss")
    response = api.post("/people", json={"name": "李四", "id_number": "110101199001011237"})
    assert response.status_code == 201
    with app.app_context():
        from corrections.people.models import Person

        person = db.session.get(Person, response.get_json()["id"])
        assert (
            person.registered_by_id
            == db.session.execute(select(User.id).where(User.username == "boss")).scalar_one()
        )


def test_token_requests_are_not_throttled(county):
    api = county.api("off1")
    statuses = {api.get("/stations").status_code for _ in range(40)}
    assert statuses == {200}


def test_json_out_is_utf8_verbatim(county):
    api = county.api("off1")
    response = api.post("/people", json={"name": "𠮷田·买买提", "id_number": "110101199001011237"})
    assert response.status_code == 201
    assert response.mimetype == "application/json"
    assert "𠮷田·买买提".encode() in response.data  # not \\u-escaped
