"""The accessible markup every page shares (docs/accessibility.md): the field macro's
aria-invalid / aria-describedby / aria-required and fieldset/legend groups, and the page
frame's language, skip link and landmarks. The browser checks are in
tests/e2e/test_e2e_accessibility.py."""

from __future__ import annotations

import re

from flask import render_template_string
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField
from wtforms.validators import InputRequired

from corrections.forms import MarkRequired, MultiCheckboxField

MACRO = '{% from "macros/forms.html" import field %}'


class _Form(FlaskForm):
    name = StringField("姓名", validators=[MarkRequired()])
    kind = SelectField("类型", choices=[("a", "甲"), ("b", "乙")])
    agree = BooleanField("同意")
    opinion = RadioField("意见", choices=[("yes", "适用"), ("no", "不适用")])
    flags = MultiCheckboxField("标记", choices=[("p", "甲"), ("q", "乙")])
    code = StringField("代码", validators=[InputRequired()])


def _render(app, source: str, errors: dict | None = None) -> str:
    with app.test_request_context():
        form = _Form(meta={"csrf": False})
        for key, messages in (errors or {}).items():
            form[key].errors = messages
        return render_template_string(MACRO + source, f=form)


def _tag(html: str, element_id: str) -> str:
    match = re.search(r'<(input|select|textarea)[^>]*\bid="' + element_id + r'"[^>]*>', html)
    assert match, element_id
    return match.group(0)


def test_a_clean_field_has_no_error_attributes(app):
    html = _render(app, "{{ field(f.kind) }}")
    tag = _tag(html, "kind")
    assert "aria-invalid" not in tag and "aria-describedby" not in tag
    assert 'label class="form-label" for="kind"' in html


def test_a_field_with_errors_is_invalid_and_described_by_its_error(app):
    html = _render(app, "{{ field(f.kind) }}", {"kind": ["请选择类型", "另一个问题"]})
    tag = _tag(html, "kind")
    assert 'aria-invalid="true"' in tag and 'aria-describedby="kind-error kind-error-2"' in tag
    # each message is its own .invalid-feedback right after the control, as before
    assert '<div class="invalid-feedback d-block" id="kind-error">请选择类型</div>' in html
    assert '<div class="invalid-feedback d-block" id="kind-error-2">另一个问题</div>' in html
    assert "is-invalid" in tag


def test_help_and_error_both_describe_the_field_help_first(app):
    html = _render(app, "{{ field(f.kind, help='从列表中选') }}", {"kind": ["请选择类型"]})
    assert 'aria-describedby="kind-help kind-error"' in _tag(html, "kind")
    assert '<div class="form-text" id="kind-help">从列表中选</div>' in html
    only_help = _render(app, "{{ field(f.kind, help='从列表中选') }}")
    tag = _tag(only_help, "kind")
    assert 'aria-describedby="kind-help"' in tag and "aria-invalid" not in tag


def test_required_fields_say_so_and_the_star_is_not_read_out(app):
    html = _render(app, "{{ field(f.name) }}{{ field(f.code) }}{{ field(f.kind) }}")
    assert 'aria-required="true"' in _tag(html, "name")
    assert 'aria-required="true"' in _tag(html, "code")
    assert "aria-required" not in _tag(html, "kind")
    assert '<span class="text-danger" aria-hidden="true">*</span>' in html


def test_extra_attributes_and_classes_are_kept(app):
    html = _render(
        app,
        "{{ field(f.name, attrs={'class_': 'id-number', 'maxlength': 18}) }}",
        {"name": ["必填"]},
    )
    tag = _tag(html, "name")
    assert 'class="form-control is-invalid id-number"' in tag
    assert 'maxlength="18"' in tag and 'aria-invalid="true"' in tag


def test_a_checkbox_with_an_error(app):
    html = _render(app, "{{ field(f.agree) }}", {"agree": ["须勾选"]})
    tag = _tag(html, "agree")
    assert 'aria-invalid="true"' in tag and 'aria-describedby="agree-error"' in tag


def test_radio_and_checkbox_groups_are_fieldsets_named_by_a_legend(app):
    html = _render(app, "{{ field(f.opinion) }}{{ field(f.flags) }}", {"opinion": ["请选择意见"]})
    opinion = html.split('<fieldset class="mb-3" id="opinion-group"', 1)[1].split("</fieldset>")[0]
    assert opinion.startswith(' aria-describedby="opinion-error">')
    assert '<legend class="form-label fs-6">意见</legend>' in opinion
    assert opinion.count('type="radio"') == 2 and opinion.count('aria-invalid="true"') == 2
    assert "请选择意见" in opinion
    flags = html.split('<fieldset class="mb-3" id="flags-group"', 1)[1].split("</fieldset>")[0]
    assert '<legend class="form-label fs-6">标记</legend>' in flags
    assert flags.count('type="checkbox"') == 2 and "aria-invalid" not in flags
    assert 'label class="form-check-label" for="flags-0"' in flags


def test_the_page_frame_has_language_skip_link_and_landmarks(app, client, county):
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in html
    assert '<a class="skip-link" href="#main">跳到主要内容</a>' in html
    assert '<main class="container" id="main" tabindex="-1">' in html
    assert html.index("skip-link") < html.index("<nav")
    assert "<title>登录 · 矫正帮教管理系统</title>" in html
    client.get("/lang/en")
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert ">Skip to main content</a>" in html
    assert 'aria-label="Main navigation"' in html
