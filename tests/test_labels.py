"""The one label catalogue (corrections/labels.py): the rule-table labels and the due-date
explanations read it, and every entry has its English in the Babel catalogue."""

from flask_babel.speaklater import LazyString

from corrections import labels
from corrections.rules import display, engine


def _entries():
    for table in labels.LABELS.values():
        yield from table.values()
    for table in labels.DUE_WORDS.values():
        yield from table.values()
    yield from labels.DUE_SENTENCE.values()


def test_every_entry_is_lazy_and_translated():
    missing = []
    for entry in _entries():
        assert isinstance(entry, LazyString)
        chinese, english = labels.in_language("zh", entry), labels.in_language("en", entry)
        if english == chinese:
            missing.append(chinese)
    assert missing == []


def test_in_language_without_a_request_and_with_variables():
    rule = labels.DUE_SENTENCE["rule"]
    assert (
        labels.in_language("zh", rule, n=7, requirement="面对面", kinds="") == "每7天至少一次面对面"
    )
    assert labels.in_language("en", rule, n=7, requirement="visit", kinds="") == (
        "at least one visit every 7 days"
    )
    # A plain msgid and a language with no catalogue: the Chinese stays.
    assert labels.in_language("en", "严管") == "Strict"
    assert labels.in_language("fr", labels.LABELS["level"]["strict"]) == "严管"


def test_rule_tables_read_the_catalogue():
    assert display.LEVELS is labels.LABELS["level"]
    assert display.CORRECTION_TYPES is labels.LABELS["correction_type"]
    assert display.REQUIREMENTS is labels.LABELS["requirement"]
    assert display.CONTACT_KINDS is labels.LABELS["contact_kind"]
    assert set(display.PROGRAMMES) == {engine.CORRECTION, engine.RESETTLEMENT}
    assert list(display.REQUIREMENTS) == list(engine.REQUIREMENTS)
    assert labels.label("requirement", "remote_report_on_leave") == "外出期间远程报告"


def test_requirement_label_for_notifications():
    assert engine.requirement_label("face_to_face") == "面对面"
    assert engine.requirement_label("face_to_face", "en") == "face-to-face contact"
    assert engine.requirement_label("unknown_code") == "unknown_code"
