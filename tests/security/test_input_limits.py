"""Input limits: out-of-range ids and page numbers, NUL characters, non-ASCII digits,
off-site redirects, the last day of the calendar, a missing backup folder, 405 ``Allow``
and a stale edit in a page: each is a 404, 422 or 409 with a clear message, never a 500."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from corrections.audit.models import AuditEvent
from corrections.extensions import db
from corrections.inputs import MAX_INT, parse_id, parse_int, safe_next
from corrections.people import services as people_services
from corrections.people.models import Person
from corrections.validation import Fields
from tests.helpers import valid_id
from tests.paperwork.test_attachments import PDF

ID1 = valid_id(serial="301")
HUGE = (2**31, 2**63, 10**20)


@pytest.fixture
def admin(client, county):
    county.login(client, "admin")
    return client


# --------------------------------------------------------------------------- integers


@pytest.mark.parametrize("number", HUGE)
def test_ids_beyond_the_integer_range_in_urls_are_404(admin, county, number):
    """Given an admin, when a page or an API resource is named with an id beyond a database
    integer (PostgreSQL 2^31, SQLite 2^63), then the answer is 404, not 500."""
    for path in (f"/people/{number}", f"/corrections/{number}", f"/attachments/{number}"):
        assert admin.get(path).status_code == 404, path
    api = county.api("admin")
    for path in (f"/people/{number}", f"/corrections/{number}", f"/resettlements/{number}"):
        response = api.get(path)
        assert response.status_code == 404, path
        assert response.get_json()["error"]["code"] == "not_found"


def test_the_largest_integer_is_still_an_id_and_missing_is_404(admin, county):
    assert admin.get(f"/people/{MAX_INT}").status_code == 404
    assert county.api("admin").get(f"/people/{MAX_INT}").status_code == 404


@pytest.mark.parametrize("number", HUGE)
def test_page_numbers_beyond_the_range(admin, county, number):
    """Given a list, when the page number is beyond the integer range, then a page answers
    200 (an empty page; the list still renders) and the API answers 422 naming ``page``."""
    county.person("off1", ID1, name="张三")
    assert admin.get(f"/people/?page={number}").status_code == 200
    assert admin.get(f"/admin/audit/?page={number}").status_code == 200
    response = county.api("admin").get(f"/people?page={number}")
    assert response.status_code == 422
    assert "page" in response.get_json()["error"]["fields"]
    response = county.api("admin").get(f"/people?page={MAX_INT}")  # the last page there is
    assert response.status_code == 200 and response.get_json()["items"] == []


@pytest.mark.parametrize("number", HUGE)
def test_integers_beyond_the_range_in_json_bodies_are_422(county, app, number):
    """Given an officer, when a JSON body names a person id beyond the range, then 422 names
    the field and nothing is written."""
    api = county.api("off1")
    with app.app_context():
        events = db.session.scalar(select(func.count(AuditEvent.id)))
    response = api.post("/corrections", json={"person_id": number, "station": "S1"})
    assert response.status_code == 422
    assert "person_id" in response.get_json()["error"]["fields"]
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEvent.id))) == events


@pytest.mark.parametrize("raw", ["--5", "²", "٣", "5 5", "+-1", "0x10", "1e3", "", " ", "-"])
def test_the_shared_validator_reads_ascii_digits_only(ctx, raw):
    """Given a value that is not a plain decimal integer, when it is read as an integer,
    then it is a field error, not an exception."""
    fields = Fields({"n": raw})
    value = fields.integer("n", required=True)
    assert value is None and "n" in fields.errors


@pytest.mark.parametrize(("raw", "expected"), [("-5", -5), ("+7", 7), (" 12 ", 12), (3, 3)])
def test_the_shared_validator_still_reads_integers(ctx, raw, expected):
    fields = Fields({"n": raw})
    assert fields.integer("n") == expected and not fields.errors


def test_integers_beyond_the_range_are_a_field_error(ctx):
    fields = Fields({"n": str(2**63)})
    assert fields.integer("n") is None and "n" in fields.errors
    assert parse_int(str(MAX_INT)) == MAX_INT and parse_int(str(MAX_INT + 1)) is None
    assert parse_id("0") is None and parse_id("²") is None and parse_id("12") == 12


# --------------------------------------------------------------------------- NUL


def test_nul_in_a_form_field_is_a_422_and_nothing_is_written(admin, app, county):
    """Given the registration form, when the name holds a NUL, then 422 names the field
    and no person is registered (PostgreSQL could not store it)."""
    response = admin.post("/people/new", data={"name": "张\x00三", "id_number": ID1})
    assert response.status_code == 422
    assert "name" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Person.id))) == 0


def test_nul_in_a_query_string_or_json_body_is_a_422(admin, county, app):
    assert admin.get("/people/?q=%00").status_code == 422
    api = county.api("admin")
    response = api.get("/people?q=a%00b")
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {
        "q": "不能包含空字符（NUL），请删除后重新提交。"
    }
    response = api.post("/people", json={"name": "张\u0000三", "id_number": ID1})
    assert response.status_code == 422
    assert "name" in response.get_json()["error"]["fields"]
    with app.app_context():
        assert db.session.scalar(select(func.count(Person.id))) == 0


def test_the_api_checks_the_token_before_the_body(client, county):
    """401 first: a request without a token is 401 even with a NUL in it."""
    assert client.get("/api/v1/people?q=%00").status_code == 401


# --------------------------------------------------------------------------- redirects


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/x",
        "/\\evil.example",
        "/\t/evil.example",
        "https://evil.example/",
        "javascript:alert(1)",
        "evil.example",
        "/\r\n/evil.example",
    ],
)
def test_an_off_site_next_after_an_upload_redirects_on_site(
    app, client, county, target, tmp_path, monkeypatch
):
    """Given an upload form, when its ``next`` names another site, then the redirect after
    the upload goes to the person's page on this site."""
    monkeypatch.setitem(app.config, "ATTACHMENT_DIR", str(tmp_path))
    import io

    person_id = county.person("off1", ID1, name="张三", station="S1")
    county.login(client, "off1")
    response = client.post(
        "/attachments/upload",
        data={
            "person_id": str(person_id),
            "kind": "other",
            "next": target,
            "file": (io.BytesIO(PDF), "a.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    location = response.headers["Location"]
    assert "evil" not in location and "javascript" not in location
    assert location.startswith("/people/") or location.startswith("http://localhost/people/")


def test_safe_next_keeps_local_paths():
    assert safe_next("/people/3#attachments", "/") == "/people/3#attachments"
    assert safe_next("/corrections/?q=a", "/") == "/corrections/?q=a"
    assert safe_next(None, "/home") == "/home"


# --------------------------------------------------------------------------- days, CLI, 405


@pytest.mark.parametrize(
    "query",
    [
        "to=9999-12-31",
        "from=0001-01-01",
        "from=0001-01-01&to=9999-12-31",
        "entity_id=²",
        "entity_id=99999999999999999999",
    ],
)
def test_the_audit_log_takes_the_first_and_last_days_there_are(admin, query):
    assert admin.get(f"/admin/audit/?{query}").status_code == 200


def test_backup_into_a_missing_folder_is_a_clear_error(app, tmp_path):
    runner = app.test_cli_runner()
    target = tmp_path / "missing" / "backup.db"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code != 0
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        assert "does not exist" in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not target.exists()


def test_405_names_the_allowed_methods(admin, county):
    """Given a resource, when it is asked with a method it does not answer, then 405 carries
    ``Allow`` with the methods it does (pages and API)."""
    response = county.api("admin").client.delete(
        "/api/v1/people", headers=county.api("admin").headers
    )
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}
    page = admin.delete("/people/new")
    assert page.status_code == 405 and "POST" in page.headers["Allow"]


# --------------------------------------------------------------------------- stale page edit


def test_a_stale_edit_in_a_page_shows_the_conflict_and_keeps_what_was_typed(
    app, admin, county, monkeypatch
):
    """Given the edit form read at version 1, when another writer commits between the
    version check and the write (StaleDataError at flush), then the page answers with the
    conflict message and the typed name, and the other writer's change stands."""
    pid = county.person("off1", ID1, name="张三")
    original = people_services.check_version
    state = {"raced": False}

    def check_then_someone_else_commits(obj, version):
        original(obj, version)
        if not state["raced"]:
            state["raced"] = True
            with db.engine.connect() as other:
                other.execute(
                    text("UPDATE people SET version = version + 1, notes = '他人' WHERE id = :i"),
                    {"i": pid},
                )
                other.commit()

    monkeypatch.setattr(people_services, "check_version", check_then_someone_else_commits)
    response = admin.post(
        f"/people/{pid}/edit", data={"name": "张叁", "id_number": ID1, "version": "1"}
    )
    assert response.status_code in (200, 409), response.status_code
    html = response.get_data(as_text=True)
    assert "已被他人修改" in html
    assert 'value="张叁"' in html  # what was typed is still in the form
    with app.app_context():
        person = db.session.get(Person, pid)
        assert person.name == "张三" and person.notes == "他人" and person.version == 2


def test_multipart_parts_without_a_name_are_ignored_not_a_500(admin, app, county):
    """A multipart body whose parts carry no name (a hand-made or fuzzed request) is read
    like any other form: the page answers with its own validation, never a 500."""
    body = (
        b"--XX\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n"
        b'--XX\r\nContent-Disposition: form-data; filename="a.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\nx\r\n--XX--\r\n"
    )
    response = admin.post("/people/new", data=body, content_type="multipart/form-data; boundary=XX")
    assert response.status_code in (200, 400, 422)
    with app.app_context():
        assert db.session.scalar(select(func.count(Person.id))) == 0
