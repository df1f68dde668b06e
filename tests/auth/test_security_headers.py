"""Security headers on pages and API answers; no inline script anywhere in the templates."""

import re
from pathlib import Path

import pytest

from corrections.security import CONTENT_SECURITY_POLICY

TEMPLATES = Path(__file__).resolve().parents[2] / "corrections" / "templates"


def _assert_common(response):
    csp = response.headers["Content-Security-Policy"]
    assert csp == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_given_the_login_page_then_it_carries_the_headers_but_may_be_cached(client, county):
    response = client.get("/login")
    _assert_common(response)
    assert "no-store" not in (response.headers.get("Cache-Control") or "")


@pytest.mark.parametrize("path", ["/", "/people/", "/account/tokens", "/account/sessions"])
def test_given_a_logged_in_user_then_every_page_is_no_store(client, county, world, path):
    world.login(client, "off1")
    response = client.get(path, follow_redirects=True)
    assert response.status_code == 200
    _assert_common(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_given_an_api_answer_then_it_is_no_store_with_the_headers(county, world):
    api = world.api("off1")
    for response in (
        api.get("/people"),
        api.get("/people/999999"),
        api.client.get("/api/v1/people"),
    ):
        _assert_common(response)
        assert response.headers["Cache-Control"] == "no-store"


def test_given_a_static_file_then_it_may_be_cached(client, county, world):
    world.login(client, "off1")
    response = client.get("/static/app.js")
    assert response.status_code == 200
    assert "no-store" not in (response.headers.get("Cache-Control") or "")


def test_given_secure_cookies_then_hsts_is_sent_and_without_them_it_is_not(
    app, client, county, monkeypatch
):
    assert "Strict-Transport-Security" not in client.get("/login").headers  # testing: off
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    assert client.get("/login").headers["Strict-Transport-Security"] == "max-age=31536000"


def test_given_the_logout_answer_then_it_carries_the_headers(client, county, world):
    world.login(client, "off1")
    _assert_common(client.post("/logout"))


# --- the templates: no inline script, handler, javascript: URL or inline style ----------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I | re.S)
JS_URL = re.compile(r"""(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.I)
INLINE_STYLE = re.compile(r"""<[^>]*\sstyle\s*=""", re.I | re.S)


def _templates():
    return sorted(TEMPLATES.rglob("*.html"))


def test_the_walk_sees_the_templates():
    names = {p.relative_to(TEMPLATES).as_posix() for p in _templates()}
    assert {"base.html", "supervision/show.html", "reports/summary.html"} <= names


@pytest.mark.parametrize(
    "pattern", [INLINE_SCRIPT, HANDLER, JS_URL, INLINE_STYLE], ids=["script", "on*", "js", "style"]
)
def test_no_template_has_inline_script_handlers_or_styles(pattern):
    found = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        for match in pattern.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(f"{path.relative_to(TEMPLATES)}:{line}: {match.group(0)[:80]}")
    assert found == []


def test_the_patterns_catch_what_they_should():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/app.js"></script>')
    assert HANDLER.search('<form method="post"\n      onsubmit="return confirm(1)">')
    assert not HANDLER.search('<form method="post" action="/x">')
    assert JS_URL.search('<a href="javascript:void(0)">')
    assert INLINE_STYLE.search('<div class="x" style="width: 0%">')


def test_given_the_resettlement_form_then_the_flag_names_reach_the_script(client, county, world):
    world.login(client, "off1")
    html = client.get("/resettlement/new").get_data(as_text=True)
    assert 'id="flag-hint" data-names="{' in html


def test_given_a_pdf_then_no_csp_but_the_other_headers(app):
    """The browser's PDF viewer renders inline PDFs; a page policy would get in its way."""
    from flask import Response

    with app.test_request_context("/documents/1"):
        response = app.process_response(Response(b"%PDF-1.4", mimetype="application/pdf"))
    assert "Content-Security-Policy" not in response.headers
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
