"""The keyed, anchored audit chain (docs/security.md, Audit).

Given events signed with AUDIT_KEY and daily anchors kept outside the audited table,
when someone without the key rewrites rows and recomputes the hashes, or deletes the
newest rows, then `audit verify` reports it.
"""

import json
import subprocess
from datetime import date

import pytest
from sqlalchemy import func, select, text

from corrections import create_app
from corrections.audit import services as audit
from corrections.audit.models import AuditAnchor, AuditEvent
from corrections.extensions import db


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def anchor_file(app, tmp_path):
    path = tmp_path / "anchors.jsonl"
    app.config["AUDIT_ANCHOR_FILE"] = str(path)
    yield path
    app.config["AUDIT_ANCHOR_FILE"] = None


def _ids():
    return db.session.execute(select(AuditEvent.id).order_by(AuditEvent.id)).scalars().all()


def test_new_events_are_hmac_signed_with_the_current_key(app, county):
    with app.app_context():
        event = db.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().first()
        key_id, key = audit.current_key()
        assert event.key_id == key_id
        assert event.hash == audit.compute_hash(event, key)
        assert event.hash != audit.compute_hash(event, None)  # not a plain SHA-256


def test_rewriting_a_row_and_recomputing_the_chain_without_the_key_is_detected(app, county):
    """Given an attacker who edits event 3 and recomputes every hash forward with a guessed
    key, when the chain is verified, then it breaks at the edited event."""
    with app.app_context():
        ids = _ids()
        prev = audit.GENESIS
        for event in db.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars():
            if event.id == ids[2]:
                event.username = "someone-else"
            event.prev_hash = prev
            event.hash = prev = audit.compute_hash(event, "guessed-key")
        db.session.commit()
        report = audit.verify_chain()
        assert not report.ok and report.broken_at == ids[0]
        assert report.reason == "content does not match its hash"


def test_truncation_after_an_anchor_is_detected(app, county, world, anchor_file):
    """Given an anchor of the chain, when the newest events are deleted, then verify reports
    truncation naming the anchor; before the deletion it verifies."""
    with app.app_context():
        result = audit.anchor_day(date(2026, 11, 24))
        assert result["created"] == 1
        assert audit.verify_chain().ok
        ids = _ids()
        db.session.execute(text("DELETE FROM audit_events WHERE id >= :i"), {"i": ids[-2]})
        db.session.commit()
        report = audit.verify_chain()
        assert not report.ok and report.broken_at is None
        assert report.reason.startswith("truncated: the anchor of 2026-11-24")
        assert f"{len(ids)} events ending with event {ids[-1]}" in report.reason


def test_events_after_the_last_anchor_are_counted_and_must_chain(app, county, world, anchor_file):
    with app.app_context():
        audit.anchor_day(date(2026, 11, 24))
    world.person("off1", "33010619900101123X", name="甲", station="S1")
    with app.app_context():
        report = audit.verify_chain()
        assert report.ok and report.anchors_checked == 1 and report.after_last_anchor == 1
        last = _ids()[-1]
        db.session.execute(
            text("UPDATE audit_events SET prev_hash = :h WHERE id = :i"), {"h": "f" * 64, "i": last}
        )
        db.session.commit()
        report = audit.verify_chain()
        assert report.broken_at == last


def test_anchor_job_is_idempotent_and_appends_one_line_per_day(app, county, anchor_file):
    from corrections.reminders.jobs import run_job

    with app.app_context():
        first = run_job("audit_anchor", date(2026, 11, 24))
        again = run_job("audit_anchor", date(2026, 11, 24))
        assert first["created"] == 1 and again["created"] == 0
        assert db.session.execute(select(func.count(AuditAnchor.id))).scalar_one() == 1
    lines = anchor_file.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    row = json.loads(lines[0])
    assert row["anchored_on"] == "2026-11-24" and row["length"] == first["length"]


def test_anchor_file_line_restored_when_missing(app, county, anchor_file):
    """Given the job crashed after storing the anchor but before writing the file, when it
    runs again for that day, then the file gets its line (and no second anchor)."""
    with app.app_context():
        audit.anchor_day(date(2026, 11, 24))
        anchor_file.unlink()
        assert audit.anchor_day(date(2026, 11, 24))["created"] == 0
    assert '"anchored_on": "2026-11-24"' in anchor_file.read_text(encoding="utf-8")


def test_deleting_anchor_rows_too_is_caught_by_the_off_host_file(
    app, county, runner, anchor_file, tmp_path
):
    """Given a copy of the anchor file kept off the host, when an attacker deletes the newest
    events and the anchor rows, then `audit verify --anchors COPY` fails."""
    with app.app_context():
        audit.anchor_day(date(2026, 11, 24))
    copy = tmp_path / "offhost.jsonl"
    copy.write_text(anchor_file.read_text(encoding="utf-8"), encoding="utf-8")
    with app.app_context():
        ids = _ids()
        db.session.execute(text("DELETE FROM audit_events WHERE id = :i"), {"i": ids[-1]})
        db.session.execute(text("DELETE FROM audit_anchors"))
        db.session.commit()
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0  # undetectable without it
    r = runner.invoke(args=["audit", "verify", "--anchors", str(copy)])
    assert r.exit_code == 1
    assert "truncated: the anchor of 2026-11-24 (offhost.jsonl:1)" in r.output


def test_a_forged_anchor_is_refused(app, county, anchor_file):
    with app.app_context():
        audit.anchor_day(date(2026, 11, 24))
        db.session.execute(text("UPDATE audit_anchors SET length = length - 1"))
        db.session.commit()
        report = audit.verify_chain()
        assert not report.ok
        assert report.reason == "anchor of 2026-11-24 (database) is not signed by a known key"


def test_anchor_file_that_is_not_json_is_a_clear_cli_error(app, runner, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n", encoding="utf-8")
    r = runner.invoke(args=["audit", "verify", "--anchors", str(bad)])
    assert r.exit_code != 0 and "line 1: not an anchor" in r.output


def test_key_rotation_keeps_old_events_verifiable(app, county, world):
    """Given events signed with key A, when the key becomes B with A listed as previous,
    then the chain (A then B events) verifies; without A listed it names the unknown key."""
    old = app.config["AUDIT_KEY"]
    try:
        app.config.update(AUDIT_KEY="new-key-B", AUDIT_PREVIOUS_KEYS=old)
        world.person("off1", "33010619900101123X", name="甲", station="S1")
        with app.app_context():
            assert audit.verify_chain().ok
            key_ids = set(db.session.execute(select(AuditEvent.key_id)).scalars())
            assert key_ids == {audit.key_fingerprint(old), audit.key_fingerprint("new-key-B")}
            app.config["AUDIT_PREVIOUS_KEYS"] = ""
            report = audit.verify_chain()
            assert not report.ok and "unknown key" in report.reason
    finally:
        app.config.update(AUDIT_KEY=old, AUDIT_PREVIOUS_KEYS="")


def test_legacy_unkeyed_events_may_only_start_the_chain(app, county):
    """Events written before keyed chaining (empty key_id, plain SHA-256) verify as the
    chain's start; an unkeyed event after a keyed one is a break."""
    with app.app_context():
        events = db.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().all()
        _, key = audit.current_key()
        prev = audit.GENESIS
        for i, event in enumerate(events):
            event.prev_hash = prev
            event.key_id = "" if i < 2 else audit.key_fingerprint(key)
            event.hash = prev = audit.compute_hash(event, None if i < 2 else key)
        db.session.commit()
        assert audit.verify_chain().ok
        third = db.session.get(AuditEvent, events[3].id)
        third.key_id = ""
        third.hash = audit.compute_hash(third, None)
        db.session.commit()
        report = audit.verify_chain()
        assert report.broken_at == third.id
        assert report.reason in (
            "an unkeyed event follows keyed events",
            "prev_hash does not match the previous event",
        )


def test_production_refuses_to_start_without_an_audit_key(monkeypatch):
    monkeypatch.delenv("AUDIT_KEY", raising=False)
    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)
    overrides = {"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x" * 32, "AUDIT_KEY": None}
    with pytest.raises(RuntimeError, match="AUDIT_KEY is not set"):
        create_app("production", overrides)


def test_audit_page_reports_truncation(app, county, world, anchor_file):
    with app.app_context():
        audit.anchor_day(date(2026, 11, 24))
        db.session.execute(text("DELETE FROM audit_events WHERE id = :i"), {"i": _ids()[-1]})
        db.session.commit()
    client = world.login(app.test_client(), "admin")
    page = client.get("/admin/audit/?verify=1").get_data(as_text=True)
    assert "哈希链校验失败：truncated: the anchor of 2026-11-24" in page


def test_monthly_pdf_prints_the_latest_anchor(app, county, tmp_path, anchor_file):
    from corrections.auth.services import user_by_username
    from corrections.reports.pdf import monthly_pdf

    with app.app_context():
        audit.anchor_day(date(2026, 11, 24))
        anchor = audit.latest_anchor()
        data = monthly_pdf(user_by_username("boss"), "2026-10")
    path = tmp_path / "m.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    flat = "".join(out.split())
    assert f"审计日志锚点：2026年11月24日，共{anchor.length}条记录" in flat
    assert anchor.head_hash[:16] in flat
