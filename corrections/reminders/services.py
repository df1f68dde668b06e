"""Notifications: creating them without duplicates, the inbox, and delivery channels."""

from __future__ import annotations

import json
import logging
import smtplib
import urllib.request
from datetime import date, timedelta
from email.message import EmailMessage

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from corrections import clock
from corrections.auth.models import Station, User, user_stations
from corrections.db import dialect_insert
from corrections.errors import NotFound
from corrections.extensions import db
from corrections.reminders.models import Delivery, Notification

log = logging.getLogger("corrections.reminders")
MAX_ATTEMPTS = 5


class Recipients:
    """Who hears about a case: its officer (or the station's officers), and the unit's supervisors."""

    def __init__(self):
        self._station_officers: dict[int, list[int]] = {}
        self._supervisors: dict[int, list[int]] = {}
        self._unit_of: dict[int, int] = {}

    def officers(self, station_id: int, officer_id: int | None) -> list[int]:
        if officer_id is not None:
            return [officer_id]
        if station_id not in self._station_officers:
            self._station_officers[station_id] = list(
                db.session.execute(
                    select(User.id)
                    .join(user_stations, user_stations.c.user_id == User.id)
                    .where(user_stations.c.station_id == station_id, User.active.is_(True))
                ).scalars()
            )
        return self._station_officers[station_id]

    def supervisors(self, station_id: int) -> list[int]:
        if station_id not in self._unit_of:
            self._unit_of[station_id] = db.session.get(Station, station_id).unit_id
        unit_id = self._unit_of[station_id]
        if unit_id not in self._supervisors:
            self._supervisors[unit_id] = list(
                db.session.execute(
                    select(User.id).where(
                        User.unit_id == unit_id, User.role == "supervisor", User.active.is_(True)
                    )
                ).scalars()
            )
        return self._supervisors[unit_id]

    def for_case(self, station_id: int, officer_id: int | None, escalate: bool) -> list[int]:
        users = list(self.officers(station_id, officer_id))
        if escalate:
            users += [u for u in self.supervisors(station_id) if u not in users]
        return users


def notify(
    user_ids,
    *,
    key: str,
    kind: str,
    programme: str,
    case_id: int | None,
    due_on: date | None,
    message: str,
) -> int:
    """Insert one notification per user unless (user, key) exists; returns how many were new."""
    if not user_ids:
        return 0
    rows = [
        {
            "user_id": u,
            "key": key,
            "kind": kind,
            "programme": programme,
            "case_id": case_id,
            "due_on": due_on,
            "message": message,
            "created_at": clock.now_utc(),
        }
        for u in user_ids
    ]
    insert = dialect_insert(db.session)
    statement = (
        insert(Notification)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["user_id", "key"])
        .returning(Notification.id)
    )
    # rowcount is not reliable for multi-row inserts on every driver; RETURNING is.
    return len(db.session.execute(statement).all())


def inbox(user: User, status: str = "unread", kind: str | None = None):
    query = select(Notification).where(Notification.user_id == user.id)
    if status == "unread":
        query = query.where(Notification.read_at.is_(None))
    if kind:
        query = query.where(Notification.kind == kind)
    return query.order_by(Notification.created_at.desc(), Notification.id.desc())


def unread_count(user: User) -> int:
    return db.session.execute(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ).scalar_one()


def mark_read(user: User, notification_id: int) -> Notification:
    note = db.session.get(Notification, notification_id)
    if note is None or note.user_id != user.id:
        raise NotFound(_("通知不存在。"))
    if note.read_at is None:
        note.read_at = clock.now_utc()
        db.session.flush()
    return note


def mark_all_read(user: User) -> int:
    notes = db.session.execute(inbox(user, "unread")).scalars().all()
    for note in notes:
        note.read_at = clock.now_utc()
    db.session.flush()
    return len(notes)


# --------------------------------------------------------------------------- delivery


def channels() -> list[str]:
    cfg = current_app.config
    found = []
    if cfg.get("SMTP_HOST"):
        found.append("email")
    if cfg.get("WEBHOOK_URL"):
        found.append("webhook")
    return found


def enqueue_since(moment) -> int:
    """Queue every notification created since ``moment`` on every configured channel."""
    active = channels()
    if not active:
        return 0
    queued = 0
    notes = db.session.execute(
        select(Notification.id, User.email)
        .join(User, User.id == Notification.user_id)
        .where(Notification.created_at >= moment)
    ).all()
    for note_id, email in notes:
        for channel in active:
            if channel == "email" and not email:
                continue
            exists = db.session.execute(
                select(Delivery.id).where(
                    Delivery.notification_id == note_id, Delivery.channel == channel
                )
            ).first()
            if not exists:
                db.session.add(
                    Delivery(
                        notification_id=note_id, channel=channel, next_attempt_at=clock.now_utc()
                    )
                )
                queued += 1
    db.session.flush()
    return queued


def _send_email(note: Notification) -> None:
    cfg = current_app.config
    message = EmailMessage()
    message["Subject"] = f"[矫正帮教提醒] {note.message[:60]}"
    message["From"] = cfg["SMTP_FROM"]
    message["To"] = note.user.email
    message.set_content(note.message)
    with smtplib.SMTP(cfg["SMTP_HOST"], int(cfg.get("SMTP_PORT") or 25), timeout=15) as smtp:
        if cfg.get("SMTP_STARTTLS"):
            smtp.starttls()
        if cfg.get("SMTP_USER"):
            smtp.login(cfg["SMTP_USER"], cfg.get("SMTP_PASSWORD") or "")
        smtp.send_message(message)


def _send_webhook(note: Notification) -> None:
    body = json.dumps(
        {
            "kind": note.kind,
            "programme": note.programme,
            "case_id": note.case_id,
            "due_on": note.due_on.isoformat() if note.due_on else None,
            "message": note.message,
            "user": note.user.username,
            "notification_id": note.id,
        },
        ensure_ascii=False,
    ).encode("utf-8")
    request = urllib.request.Request(
        current_app.config["WEBHOOK_URL"],
        data=body,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310 (configured URL)
        if response.status >= 300:
            raise RuntimeError(f"webhook answered {response.status}")


SENDERS = {"email": _send_email, "webhook": _send_webhook}


def deliver_pending(limit: int = 500) -> dict:
    """Send what is due; failures are retried with backoff, up to MAX_ATTEMPTS."""
    now = clock.now_utc()
    due = (
        db.session.execute(
            select(Delivery)
            .where(Delivery.status == "pending", Delivery.next_attempt_at <= now)
            .order_by(Delivery.id)
            .limit(limit)
        )
        .scalars()
        .all()
    )
    sent = failed = 0
    for delivery in due:
        delivery.attempts += 1
        try:
            SENDERS[delivery.channel](delivery.notification)
        except Exception as exc:  # every failure is logged and retried, none stops the batch
            delivery.last_error = f"{type(exc).__name__}: {exc}"[:1000]
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.status = "failed"
            else:
                delivery.next_attempt_at = now + timedelta(minutes=2**delivery.attempts)
            failed += 1
            log.warning(
                "delivery %s via %s failed (attempt %s): %s",
                delivery.id,
                delivery.channel,
                delivery.attempts,
                delivery.last_error,
            )
        else:
            delivery.status, delivery.sent_at, delivery.last_error = "sent", clock.now_utc(), None
            sent += 1
    db.session.flush()
    return {"sent": sent, "failed": failed}
