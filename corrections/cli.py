"""Command-line interface (docs/api.md): stations, users, tokens, demo, audit, backup."""

from __future__ import annotations

import json
import os
import sqlite3
import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from corrections.errors import DomainError
from corrections.extensions import db


def _fail(error: DomainError):
    db.session.rollback()
    detail = "; ".join(f"{k}: {v}" for k, v in error.fields.items())
    raise click.ClickException(f"{error.message} {detail}".strip())


stations_cli = AppGroup("stations", help="司法所 (stations).")
users_cli = AppGroup("users", help="Users and API tokens.")
audit_cli = AppGroup("audit", help="The audit log.")
storage_cli = AppGroup("storage", help="Where attachments and documents are kept.")
jobs_cli = AppGroup("jobs", help="Scheduled jobs (reminders, nightly recompute).")


@jobs_cli.command("run")
def jobs_run():
    """Run the scheduler in the foreground: active, or standby while another one is."""
    import signal
    import threading

    from corrections.reminders.scheduler import run_scheduler

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    run_scheduler(current_app._get_current_object(), stop)


@jobs_cli.command("run-once")
@click.argument("name")
@click.option("--date", "day", default=None, help="YYYY-MM-DD (default: today, China time)")
def jobs_run_once(name: str, day: str | None):
    """Run one job now for one day; prints a JSON summary on the last line."""
    from datetime import date as date_type

    from corrections.reminders.jobs import JOBS, run_job

    if name not in JOBS:
        raise click.ClickException(f"unknown job {name}; jobs: {', '.join(JOBS)}")
    try:
        on = date_type.fromisoformat(day) if day else None
    except ValueError:
        raise click.ClickException(f"--date must be YYYY-MM-DD, not {day!r}") from None
    click.echo(json.dumps(run_job(name, on), ensure_ascii=False, default=str))


@stations_cli.command("create")
@click.argument("code")
@click.argument("name")
@click.option("--unit", "unit_name", default=None, help="County bureau (default: the default unit)")
def stations_create(code: str, name: str, unit_name: str | None):
    from corrections.auth import services

    try:
        unit = services.unit_by_name(unit_name)
        station = services.create_station(None, code, name, unit)
    except DomainError as e:
        _fail(e)
    db.session.commit()
    click.echo(f"station {station.code} {station.name} ({unit.name})")


@users_cli.command("create")
@click.argument("username")
@click.option(
    "--role", required=True, type=click.Choice(["admin", "supervisor", "officer", "viewer"])
)
@click.option("--password", required=True)
@click.option("--station", "stations", multiple=True, help="Station code (officers: one or more)")
@click.option("--unit", "unit_name", default=None)
@click.option("--name", "display_name", default="")
def users_create(username, role, password, stations, unit_name, display_name):
    from corrections.auth import services

    try:
        found = []
        for code in stations:
            station = services.station_by_code(code)
            if station is None:
                raise click.ClickException(f"unknown station code: {code}")
            found.append(station)
        unit = services.unit_by_name(unit_name) if unit_name else None
        user = services.create_user(
            None, username, password, role, stations=found, unit=unit, display_name=display_name
        )
    except DomainError as e:
        _fail(e)
    db.session.commit()
    click.echo(f"user {user.username} ({user.role})")


@users_cli.command("token")
@click.argument("username")
@click.option("--name", default="cli")
def users_token(username: str, name: str):
    """Issue a new API token; the token is the last line of stdout."""
    from corrections.auth import services

    try:
        user = services.user_by_username(username)
        _token, secret = services.issue_token(user, user, name)
    except DomainError as e:
        _fail(e)
    db.session.commit()
    click.echo(f"token for {user.username} (shown once; store it safely):")
    click.echo(secret)


@audit_cli.command("verify")
@click.option(
    "--anchors",
    "anchor_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="A copy of the anchor file kept off this host (may be given several times).",
)
def audit_verify(anchor_files: tuple[str, ...]):
    """Walk the keyed hash chain and check it against every anchor; report the first
    broken link, a forged anchor, or truncation."""
    from corrections.audit.services import read_anchor_file, verify_chain

    extra = []
    for path in anchor_files:
        try:
            extra += read_anchor_file(path)
        except ValueError as e:
            raise click.ClickException(str(e)) from None
    report = verify_chain(extra_anchors=extra)
    if report.ok:
        click.echo(
            f"audit chain OK: {report.checked} events, {report.anchors_checked} anchors; "
            f"{report.after_last_anchor} events after the last anchor"
        )
        return
    if report.broken_at is not None:
        click.echo(
            f"audit chain BROKEN at event {report.broken_at}: {report.reason} "
            f"({report.checked} events before it are intact)"
        )
    else:
        click.echo(f"audit chain BROKEN: {report.reason}")
    sys.exit(1)


@storage_cli.command("migrate")
@click.option("--to", "target_name", required=True, type=click.Choice(["local", "database", "s3"]))
@click.option(
    "--from",
    "source_name",
    default=None,
    type=click.Choice(["local", "database", "s3"]),
    help="Default: the configured STORAGE_BACKEND.",
)
def storage_migrate(target_name: str, source_name: str | None):
    """Copy every stored file to another backend and verify each checksum; then set
    STORAGE_BACKEND to the new one and restart (docs/deployment.md, Files)."""
    from corrections import storage

    source_name = source_name or storage.backend_name()
    if source_name == target_name:
        raise click.ClickException(f"the files are in {source_name} already")
    report = storage.migrate(storage.make_store(source_name), storage.make_store(target_name))
    click.echo(json.dumps({"from": source_name, "to": target_name, **report}, ensure_ascii=False))
    if report["missing"] or report["corrupt"]:
        click.echo("some files were not copied: see missing / corrupt above", err=True)
        sys.exit(1)
    click.echo(f"all files are in {target_name}: set STORAGE_BACKEND={target_name} and restart")


@click.command("demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Only when the database has no users yet.")
def demo_command(if_empty: bool):
    """Load a realistic demo county (idempotent)."""
    from corrections.auth.models import User
    from corrections.demo import load_demo

    if if_empty and db.session.execute(select(User.id).limit(1)).first() is not None:
        click.echo("database has users already; demo not loaded")
        return
    summary = load_demo()
    db.session.commit()
    click.echo(json.dumps(summary, ensure_ascii=False))


@click.command("backup")
@with_appcontext
@click.argument("path")
def backup_command(path: str):
    """A consistent copy of the SQLite database (online backup API)."""
    uri = current_app.config["SQLALCHEMY_DATABASE_URI"]
    if not uri.startswith("sqlite"):
        raise click.ClickException(
            "PostgreSQL: use pg_dump, e.g. `pg_dump --format=custom --file=PATH DBNAME`; "
            "restore with `pg_restore --clean --dbname=DBNAME PATH`. See docs/operations.md."
        )
    source_path = db.engine.url.database
    if not source_path or source_path == ":memory:":
        raise click.ClickException(
            "This SQLite database is in memory; there is nothing to back up."
        )
    target = os.path.abspath(path)
    if os.path.exists(target):
        raise click.ClickException(f"{target} exists; choose a new file name.")
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        raise click.ClickException(
            f"the folder {folder} does not exist; create it first (mkdir -p) or choose another."
        )
    if not os.access(folder, os.W_OK):
        raise click.ClickException(f"the folder {folder} is not writable by this user.")
    source = sqlite3.connect(source_path)
    dest = sqlite3.connect(target)
    try:
        with dest:
            source.backup(dest)
        check = dest.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        dest.close()
        source.close()
    if check != "ok":
        raise click.ClickException(f"backup written but integrity_check says: {check}")
    click.echo(f"backup written to {target} (integrity ok)")


def register(app: Flask) -> None:
    for group in (stations_cli, users_cli, audit_cli, jobs_cli, storage_cli):
        app.cli.add_command(group)
    app.cli.add_command(demo_command)
    app.cli.add_command(backup_command)
