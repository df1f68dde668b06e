"""The officer's phone, the rules under the pages: my day's "next N days" list (edge dates),
rule rows called 默认, the audit log's names and actions, the helpers of the error summary,
the history pages and tel: links, and the photo checks."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage

from corrections.errors import ValidationFailed
from corrections.extensions import db
from corrections.rules import display, engine
from corrections.supervision.models import CorrectionCase
from corrections.web import form_errors, history_page, tel
from tests.helpers import open_case, user
from tests.supervision.webhelpers import text

TODAY = date(2026, 11, 25)


# --------------------------------------------------------------------------- my day


def _due_on(case: CorrectionCase, day: date) -> None:
    case.next_due_on = day
    db.session.commit()


@pytest.mark.parametrize(
    ("days_ahead", "listed"),
    [(-1, False), (0, False), (1, True), (7, True), (8, False)],
)
def test_next_seven_days_means_tomorrow_to_seven_days_ahead(
    ctx, county, person_id, days_ahead, listed
):
    from corrections.reminders.dashboard import my_day

    case = open_case(person_id)
    _due_on(case, TODAY + timedelta(days=days_ahead))
    day = my_day(user("off1"), TODAY)
    assert day["week_days"] == 7
    assert (case in day["week"]) is listed
    assert (case in day["today"]) is (days_ahead == 0)
    assert (case in day["overdue"]) is (days_ahead < 0)


def test_the_heading_follows_the_window_row_in_force_today(app, client, world, person_id):
    from corrections.rules.models import DeadlineRuleRow

    with app.app_context():
        case = open_case(person_id)
        _due_on(case, TODAY + timedelta(days=4))
        db.session.add(
            DeadlineRuleRow(key="due_soon_days", value=3, effective_from=date(2026, 1, 1))
        )
        db.session.commit()
    world.login(client, "off1")
    home = text(client.get("/"))
    assert "未来3天到期（0）" in home and "未来3天没有到期的联系" in home
    assert "本周" not in home


# --------------------------------------------------------------------------- words


def test_built_in_rule_rows_say_default():
    assert display.effective_text(engine.DEFAULT_EFFECTIVE_FROM) == "默认"
    assert display.effective_text(date(1900, 1, 2)) == "自1900-01-02起"
    assert display.effective_text(date(2026, 1, 1)) == "自2026-01-01起"


def test_rules_page_says_default_not_1900(app, client, world, county):
    world.login(client, "admin")
    page = text(client.get("/rules/"))
    assert "默认" in page and "1900-01-01" not in page


def test_audit_log_shows_names_and_readable_actions(app, client, world, county, person_id):
    from corrections.auth.models import User

    with app.app_context():
        off1 = db.session.execute(db.select(User).where(User.username == "off1")).scalar_one()
        off1.display_name = "陈晓"
        db.session.commit()
    world.login(client, "admin")
    page = text(client.get("/admin/audit/?action=person"))
    row = page[page.index('id="audit-table"') :]
    assert "陈晓" in row and "（off1）" in row  # the name, the login beside it
    assert "登记人员" in row and "人员档案 #" in row
    assert ">person.create<" not in row  # the code only as a tooltip


def test_demo_names_carry_no_station():
    from corrections.demo import DEMO_USERS

    for _login, _role, name, _codes in DEMO_USERS:
        assert "所" not in name and " " not in name


# --------------------------------------------------------------------------- helpers


def test_form_errors_link_each_field_message_and_keep_the_rest(app):
    from corrections.supervision.forms import ContactForm

    with app.test_request_context():
        f = ContactForm(prefix="contact", meta={"csrf": False})
        f.occurred_on.errors = ["不能晚于今天（2026-11-25）。"]
        f.kind.errors = ["必填"]
        rows = form_errors(f, leftover=["另一个问题"])
    assert rows == [
        ("contact-kind", "方式：必填"),
        ("contact-occurred_on", "日期：不能晚于今天（2026-11-25）。"),
        (None, "另一个问题"),
    ]
    assert form_errors(None) == []


class _Entry:
    def __init__(self, n):
        self.voidable, self.record_id = "contact", n


@pytest.mark.parametrize(
    ("query", "page", "first"),
    [
        ("", 1, 0),
        ("?history=2", 2, 20),
        ("?history=3", 3, 40),
        ("?history=4", 3, 40),  # past the end: the last page
        ("?history=0", 1, 0),
        ("?history=x", 1, 0),
        ("?at=contact-25", 2, 20),
        ("?at=contact-999", 1, 0),
    ],
)
def test_history_pages_of_twenty(app, query, page, first):
    entries = [_Entry(n) for n in range(45)]
    with app.test_request_context("/corrections/1" + query):
        shown = history_page(entries)
    assert (shown.page, shown.pages, shown.total) == (page, 3, 45)
    assert shown.entries[0].record_id == first and len(shown.entries) <= 20
    assert shown.has_prev is (page > 1) and shown.has_next is (page < 3)


def test_history_of_nothing_is_one_empty_page(app):
    with app.test_request_context("/corrections/1"):
        shown = history_page([])
    assert (shown.page, shown.pages, shown.entries) == (1, 1, [])


@pytest.mark.parametrize(
    ("text_", "number"),
    [
        ("13800001111", "13800001111"),
        ("138 0000 1111", "13800001111"),
        ("0578-1234567", "05781234567"),
        ("张父 13900002222（父亲）", "13900002222"),
        ("+86 139 0000 2222", "+8613900002222"),
        ("张父", ""),
        ("12345", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_tel_links_dial_the_number_only(text_, number):
    assert tel(text_) == number


# --------------------------------------------------------------------------- photos


def _upload(data: bytes, name: str) -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name)


def _jpeg(size, orientation=None) -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    Image.new("RGB", size, (90, 90, 90)).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_spool_makes_display_copies_only_where_needed(app):
    from corrections.paperwork import attachments

    with app.test_request_context():
        small, big, turned, png = attachments.spool_photos(
            [
                _upload(_jpeg((800, 600)), "small.jpg"),
                _upload(_jpeg((4000, 3000)), "big.jpg"),
                _upload(_jpeg((800, 600), orientation=8), "turned.jpg"),
                _upload(_png(), "screen.png"),
            ]
        )
        try:
            assert small.display is None and png.display is None
            with Image.open(big.display[0]) as shown:
                assert shown.size == (1600, 1200)
            with Image.open(turned.display[0]) as shown:
                assert shown.size == (600, 800)  # upright
            assert big.size == len(_jpeg((4000, 3000)))  # the original's bytes are kept
        finally:
            for item in (small, big, turned, png):
                item.discard()
        assert not __import__("os").path.exists(big.display[0])  # temporary files removed


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "PNG")
    return out.getvalue()


def test_a_refused_photo_names_itself_and_leaves_no_temporary_file(app):
    import os

    from corrections import storage
    from corrections.paperwork import attachments

    with app.test_request_context():
        before = set(os.listdir(storage.temp_dir()))
        with pytest.raises(ValidationFailed) as refused:
            attachments.spool_photos(
                [
                    _upload(_jpeg((100, 100)), "ok.jpg"),
                    _upload(b"", "empty.jpg"),
                ]
            )
        assert "第2张照片（empty.jpg）" in refused.value.message
        assert "photos" in refused.value.fields
        assert set(os.listdir(storage.temp_dir())) == before


def test_no_photo_chosen_is_no_photo(app):
    from corrections.paperwork import attachments

    with app.test_request_context():
        assert attachments.spool_photos([FileStorage(stream=io.BytesIO(b""), filename="")]) == []
