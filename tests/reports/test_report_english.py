"""Pages in English: the report paragraph and the figure labels are English there (the
paragraph stays Chinese by default, in the API and in printed reports)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from corrections.reports import summary as summaries
from corrections.reports.figures import FIGURES, KEYS
from tests.reports.test_routes_summary import october  # noqa: F401

CJK = re.compile(r"[\u3400-\u9fff，。：；（）、]")


@pytest.mark.parametrize(
    "start, end, opening",
    [
        (date(2026, 10, 1), date(2026, 10, 31), "In October 2026, "),
        (date(2026, 1, 1), date(2026, 10, 15), "As of 2026-10-15, "),
        (date(2026, 1, 1), date(2026, 1, 1), "As of 2026-01-01, "),
        (date(2026, 10, 1), date(2026, 10, 15), "From 2026-10-01 to 2026-10-15, "),
        (date(2024, 2, 1), date(2024, 2, 29), "In February 2024, "),
        (date(2025, 12, 1), date(2026, 1, 15), "From 2025-12-01 to 2026-01-15, "),
    ],
)
def test_english_paragraph_opening_and_no_chinese(start, end, opening):
    figures = {k: i for i, k in enumerate(KEYS)}
    text = summaries.report_text_en(figures, end, "the county", start)
    assert text.startswith(opening + "the county completed ")
    assert not CJK.search(text)
    assert ("a total of" in text) == (start == date(end.year, 1, 1))
    for key in ("cc.received", "cc.on_register", "rs.on_register_gang", "rs.employment"):
        assert str(figures[key]) in text


def test_every_figure_label_and_unit_has_an_english_name(app):
    with app.test_request_context("/"):
        from flask import session

        session["lang"] = "en"
        for figure in FIGURES:
            assert not CJK.search(figure.text), figure.text


def test_summary_page_in_english_and_chinese(app, client, county, october):  # noqa: F811
    client = county.login(app.test_client(), "boss")
    html = client.get("/reports/").get_data(as_text=True)
    text = html.split('id="report-text">', 1)[1].split("</p>", 1)[0]
    assert text.startswith("2026年10月，全县开展调查评估0例")
    client.get("/lang/en")
    html = client.get("/reports/").get_data(as_text=True)
    text = html.split('id="report-text">', 1)[1].split("</p>", 1)[0]
    assert text.startswith("In October 2026, the county completed 0 pre-sentence investigations")
    assert "received 1 people" in text and "made 1 in-person checks" in text
    assert 'Missed intake<span class="text-muted small"> (people)</span>' in html
    assert "漏管" not in html
    # the API keeps the Chinese paragraph
    api = county.api("boss")
    body = api.get("/reports/summary?from=2026-10-01&to=2026-10-31").get_json()
    assert body["text"].startswith("2026年10月，全县")
