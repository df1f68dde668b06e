"""docs/domain.md §7.2 (社区矫正法 §54, §58): a minor's case (under 18 when the judgment took
effect) is marked on the pages, and its person's name and ID number are masked for
viewers everywhere: pages, API, PDFs, workbooks and CSV. Supervisors see them in full.

Today is frozen at 2026-11-25. The teenager is born 2008-11-25: 17 on 2026-06-01, the
judgment day, and 18 today; the case stays a minor's case for its whole term.
"""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.helpers import valid_id
from tests.supervision.webhelpers import text

TEEN_ID = valid_id("110101", "20081125", "127")
TEEN_NAME = "赵青青"
TEEN_MASKED_NAME = "赵*"
TEEN_MASKED_ID = TEEN_ID[:4] + "*" * 10 + TEEN_ID[-4:]
ADULT_ID = valid_id("110101", "19900101", "123")
ADULT_NAME = "钱多多"


@pytest.fixture
def minors(county):
    """A minor's case and an adult's case at S1, both received on 2026-06-05 and never
    contacted since (so both are overdue today)."""
    teen = county.person("boss", TEEN_ID, name=TEEN_NAME, station="S1")
    adult = county.person("boss", ADULT_ID, name=ADULT_NAME, station="S1")
    api = county.api("boss")
    ids = {}
    for key, person in (("teen", teen), ("adult", adult)):
        response = api.post(
            "/corrections",
            json={
                "person_id": person,
                "station": "S1",
                "officer": "off1",
                "correction_type": "probation",
                "crime": "盗窃罪",
                "crime_category": "property",
                "judgment_effective_on": "2026-06-01",
                "term_start": "2026-06-01",
                "term_end": "2027-05-31",
                "received_on": "2026-06-05",
            },
        )
        assert response.status_code == 201, response.get_data(as_text=True)
        ids[key] = response.get_json()["id"]
    ids["teen_person"], ids["adult_person"] = teen, adult
    return ids


def _masked(page: str) -> None:
    assert TEEN_NAME not in page and TEEN_ID not in page
    assert TEEN_MASKED_NAME in page


def _page(client, county, who, path):
    county.login(client, who)
    response = client.get(path)
    assert response.status_code == 200, path
    return text(response)


# --------------------------------------------------------------------------- the mark


def test_api_case_carries_minor_true_for_the_teen_and_false_for_the_adult(county, minors):
    api = county.api("boss")
    assert api.get(f"/corrections/{minors['teen']}").get_json()["minor"] is True
    assert api.get(f"/corrections/{minors['adult']}").get_json()["minor"] is False
    person = api.get(f"/people/{minors['teen_person']}").get_json()
    assert [c["minor"] for c in person["cases"] if c["programme"] == "correction"] == [True]


def test_pages_mark_the_minors_case_with_a_badge(client, county, minors):
    page = _page(client, county, "off1", f"/corrections/{minors['teen']}")
    assert "badge-minor" in page and "未成年人案件" in page
    adult = text(client.get(f"/corrections/{minors['adult']}"))
    assert "badge-minor" not in adult
    listing = text(client.get("/corrections/"))
    assert "badge-minor" in listing  # in the table and in the phone list
    assert "badge-minor" in text(client.get(f"/people/{minors['teen_person']}"))


# --------------------------------------------------------------------------- pages


@pytest.mark.parametrize(
    "path",
    [
        "/corrections/",
        "/corrections/{teen}",
        "/people/",
        "/people/{teen_person}",
        "/dashboard",
        "/reports/records?key=cc.on_register&from=2026-11-01&to=2026-11-25",
    ],
)
def test_viewer_pages_mask_the_minor_and_not_the_adult(client, county, minors, path):
    page = _page(client, county, "viewer", path.format(**minors))
    _masked(page)
    if "{teen" not in path:  # lists: the adult's name is still there
        assert ADULT_NAME in page


@pytest.mark.parametrize(
    "path",
    [
        "/corrections/",
        "/corrections/{teen}",
        "/people/{teen_person}",
        "/dashboard",
        "/reports/records?key=cc.on_register&from=2026-11-01&to=2026-11-25",
    ],
)
def test_supervisor_pages_show_the_minor_in_full(client, county, minors, path):
    page = _page(client, county, "boss", path.format(**minors))
    assert TEEN_NAME in page and TEEN_MASKED_NAME not in page


def test_viewer_person_page_shows_the_adults_number_as_before(client, county, minors):
    page = _page(client, county, "viewer", f"/people/{minors['adult_person']}")
    assert ADULT_ID in page and ADULT_NAME in page


def test_viewer_case_page_shows_the_masked_number(client, county, minors):
    page = _page(client, county, "viewer", f"/corrections/{minors['teen']}")
    assert TEEN_MASKED_ID in page


def test_officer_is_not_masked_by_the_minor_rule(client, county, minors):
    page = _page(client, county, "off1", f"/people/{minors['teen_person']}")
    assert TEEN_NAME in page and TEEN_ID in page


# --------------------------------------------------------------------------- API


def test_viewer_api_people_and_corrections_mask_the_minor(county, minors):
    api = county.api("viewer")
    person = api.get(f"/people/{minors['teen_person']}").get_json()
    assert person["name"] == TEEN_MASKED_NAME and person["id_number"] == TEEN_MASKED_ID
    listed = {p["id"]: p for p in api.get("/people").get_json()["items"]}
    assert listed[minors["teen_person"]]["name"] == TEEN_MASKED_NAME
    assert listed[minors["teen_person"]]["id_number"] == TEEN_MASKED_ID
    assert listed[minors["adult_person"]]["name"] == ADULT_NAME
    assert listed[minors["adult_person"]]["id_number"] == ADULT_ID
    case = api.get(f"/corrections/{minors['teen']}").get_json()
    assert case["person_name"] == TEEN_MASKED_NAME
    cases = {c["id"]: c for c in api.get("/corrections").get_json()["items"]}
    assert cases[minors["teen"]]["person_name"] == TEEN_MASKED_NAME
    assert cases[minors["adult"]]["person_name"] == ADULT_NAME
    overdue = api.get("/corrections?overdue_on=2026-11-25").get_json()
    assert TEEN_NAME not in str(overdue)


def test_supervisor_api_shows_the_minor_in_full(county, minors):
    api = county.api("boss")
    person = api.get(f"/people/{minors['teen_person']}").get_json()
    assert person["name"] == TEEN_NAME and person["id_number"] == TEEN_ID
    assert api.get(f"/corrections/{minors['teen']}").get_json()["person_name"] == TEEN_NAME


# --------------------------------------------------------------------------- CSV, workbook, PDF


def test_dashboard_csv_masks_the_minor_for_viewers_only(client, county, minors):
    county.login(client, "viewer")
    csv_text = client.get("/dashboard/overdue.csv").get_data(as_text=True)
    assert TEEN_MASKED_NAME in csv_text and TEEN_MASKED_ID in csv_text
    assert TEEN_NAME not in csv_text and TEEN_ID not in csv_text
    assert ADULT_NAME in csv_text
    client.post("/logout")
    county.login(client, "boss")
    csv_text = client.get("/dashboard/overdue.csv").get_data(as_text=True)
    assert TEEN_NAME in csv_text and TEEN_ID in csv_text


def _register_rows(data: bytes) -> list[tuple]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    return [tuple(r) for r in book["社区矫正台账"].iter_rows(values_only=True)]


def test_workbook_masks_the_minor_for_viewers_only(county, minors):
    rows = _register_rows(county.api("viewer").get("/reports/monthly.xlsx?month=2026-10").data)
    flat = [str(v) for row in rows for v in row if v is not None]
    assert TEEN_MASKED_NAME in flat and TEEN_MASKED_ID in flat
    assert TEEN_NAME not in flat and TEEN_ID not in flat
    assert ADULT_NAME in flat
    rows = _register_rows(county.api("boss").get("/reports/monthly.xlsx?month=2026-10").data)
    flat = [str(v) for row in rows for v in row if v is not None]
    assert TEEN_NAME in flat and TEEN_ID in flat


def test_monthly_pdf_names_no_person(county, minors):
    """The monthly PDF holds figures only: no name or ID number to mask."""
    from tests.paperwork.test_documents import pdf_text

    pdf = county.api("viewer").get("/reports/monthly.pdf?month=2026-10")
    assert pdf.status_code == 200
    body = "".join(pdf_text(pdf.data).split())
    assert TEEN_NAME not in body and TEEN_ID not in body


def test_issued_documents_of_a_minors_case_are_not_given_to_viewers(app, county, minors):
    generated = county.api("off1").post("/documents/announcement", json={"case_id": minors["teen"]})
    assert generated.status_code in (200, 201)
    from sqlalchemy import select

    from corrections.extensions import db
    from corrections.paperwork.models import GeneratedDocument

    with app.app_context():
        doc_id = db.session.execute(select(GeneratedDocument.id)).scalar_one()
    refused = county.api("viewer").get(f"/generated-documents/{doc_id}")
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "forbidden"
    assert county.api("boss").get(f"/generated-documents/{doc_id}").status_code == 200
    # the adult's document stays readable for viewers, as before
    county.api("off1").post("/documents/announcement", json={"case_id": minors["adult"]})
    with app.app_context():
        adult_doc = db.session.execute(
            select(GeneratedDocument.id).where(GeneratedDocument.case_id == minors["adult"])
        ).scalar_one()
    assert county.api("viewer").get(f"/generated-documents/{adult_doc}").status_code == 200
