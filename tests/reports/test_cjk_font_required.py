"""Printed papers embed their CJK font: outside development and testing the application
refuses to start without an embeddable one (a clear error naming CJK_FONT_PATH and the
Debian packages) and never prints with the non-embedded STSong-Light fallback; in
development and testing the fallback stays, with a warning."""

from __future__ import annotations

import logging
import os

import pytest

from corrections import create_app
from corrections.reports.printing import CID_FONT, cjk_font

WQY = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"


def _app(env: str, font: str | None, tmp_path):
    return create_app(
        env,
        {
            "SECRET_KEY": "x" * 32,
            "AUDIT_KEY": "y" * 32,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'start.db'}",
            "CJK_FONT_PATH": font,
        },
    )


@pytest.mark.parametrize("font", [None, "missing.ttf", "bad.ttf"])
def test_given_production_without_an_embeddable_font_when_it_starts_then_it_stops_loudly(
    tmp_path, font
):
    if font:
        (tmp_path / "bad.ttf").write_bytes(b"not a font")
        font = str(tmp_path / font)
    with pytest.raises(RuntimeError) as raised:
        _app("production", font, tmp_path)
    message = str(raised.value)
    assert "CJK_FONT_PATH" in message
    assert "fonts-wqy-zenhei" in message and "fonts-arphic-uming" in message


@pytest.mark.skipif(not os.path.isfile(WQY), reason="fonts-wqy-zenhei is not installed")
def test_given_production_with_a_truetype_cjk_font_when_it_starts_then_it_prints_embedded(
    tmp_path,
):
    app = _app("production", WQY, tmp_path)
    with app.app_context():
        assert cjk_font().embedded is True


@pytest.mark.skipif(not os.path.isfile(WQY), reason="fonts-wqy-zenhei is not installed")
def test_given_production_when_the_font_goes_away_after_start_then_printing_stops(tmp_path):
    app = _app("production", WQY, tmp_path)
    with app.app_context(), pytest.raises(RuntimeError, match="CJK_FONT_PATH"):
        cjk_font(str(tmp_path / "removed.ttf"))


def test_given_development_without_a_font_when_it_starts_then_it_warns_and_falls_back(
    tmp_path, caplog, monkeypatch
):
    # Alembic's logging set-up (the session's migrations) disables existing loggers
    monkeypatch.setattr(logging.getLogger("corrections"), "disabled", False)
    missing = str(tmp_path / "none.ttf")
    with caplog.at_level(logging.WARNING, logger="corrections"):
        app = _app("development", missing, tmp_path)
    warned = [r.getMessage() for r in caplog.records if CID_FONT in r.getMessage()]
    assert any("development" in m and "fonts-wqy-zenhei" in m for m in warned), warned
    with app.app_context():
        assert cjk_font().embedded is False
