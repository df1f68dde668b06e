"""The token user's inbox (docs/api.md: Notifications)."""

from flask import request
from flask_babel import gettext as _

from corrections.api import current_api_user, paged
from corrections.api.openapi import SCOPED, listing, operation
from corrections.api.records import inbox as records
from corrections.errors import ValidationFailed
from corrections.extensions import db
from corrections.reminders import services


@listing(
    "/notifications",
    "The token user's inbox",
    records.Notification,
    records.NotificationQuery,
    texts={422: "Bad status"},
)
def list_notifications():
    status = request.args.get("status", "unread")
    if status not in ("unread", "all"):
        raise ValidationFailed(_("status 只能是 unread 或 all。"), fields={"status": _("无效")})
    return paged(services.inbox(current_api_user(), status), records.Notification.of)


@operation(
    "post",
    "/notifications/<int:notification_id>/read",
    "Mark one notification read",
    ok=records.Notification,
    errors=SCOPED,
    texts={404: "Not this user's notification"},
)
def read_notification(notification_id: int):
    note = services.mark_read(current_api_user(), notification_id)
    db.session.commit()
    return records.Notification.of(note)
