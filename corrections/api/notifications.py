"""The token user's inbox (docs/api.md: Notifications)."""

from flask import request
from flask_babel import gettext as _

from corrections.api import bp, current_api_user, ok, page_from_args, page_json
from corrections.api.openapi import EXTRA_PATHS, EXTRA_SCHEMAS, timestamp
from corrections.errors import ValidationFailed
from corrections.extensions import db
from corrections.reminders import services
from corrections.reminders.models import Notification
from corrections.web import paginate


def notification_json(note: Notification) -> dict:
    return {
        "id": note.id,
        "kind": note.kind,
        "programme": note.programme,
        "case_id": note.case_id,
        "due_on": note.due_on.isoformat() if note.due_on else None,
        "message": note.message,
        "created_at": timestamp(note.created_at),
        "read_at": timestamp(note.read_at),
    }


@bp.get("/notifications")
def list_notifications():
    status = request.args.get("status", "unread")
    if status not in ("unread", "all"):
        raise ValidationFailed(_("status 只能是 unread 或 all。"), fields={"status": _("无效")})
    page, per_page = page_from_args()
    query = services.inbox(current_api_user(), status)
    return page_json(paginate(query, page, per_page), notification_json)


@bp.post("/notifications/<int:notification_id>/read")
def read_notification(notification_id: int):
    note = services.mark_read(current_api_user(), notification_id)
    db.session.commit()
    return ok(notification_json(note))


EXTRA_SCHEMAS["Notification"] = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "kind": {"type": "string"},
        "programme": {"type": "string", "enum": ["correction", "resettlement", "assessment"]},
        "case_id": {"type": "integer", "nullable": True},
        "due_on": {"type": "string", "format": "date", "nullable": True},
        "message": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"},
        "read_at": {"type": "string", "format": "date-time", "nullable": True},
    },
}
_ERR = {"$ref": "#/components/schemas/Error"}
EXTRA_PATHS["/notifications"] = {
    "get": {
        "summary": "The token user's inbox",
        "parameters": [
            {
                "name": "status",
                "in": "query",
                "schema": {"type": "string", "enum": ["unread", "all"]},
            },
            {"name": "page", "in": "query", "schema": {"type": "integer"}},
            {"name": "per_page", "in": "query", "schema": {"type": "integer"}},
        ],
        "responses": {
            "200": {
                "description": "A page of notifications",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "items": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Notification"},
                                },
                                "page": {"type": "integer"},
                                "per_page": {"type": "integer"},
                                "total": {"type": "integer"},
                            },
                        }
                    }
                },
            },
            "401": {
                "description": "No token or a bad one",
                "content": {"application/json": {"schema": _ERR}},
            },
            "422": {"description": "Bad status", "content": {"application/json": {"schema": _ERR}}},
        },
    }
}
EXTRA_PATHS["/notifications/{notification_id}/read"] = {
    "post": {
        "summary": "Mark one notification read",
        "parameters": [
            {
                "name": "notification_id",
                "in": "path",
                "required": True,
                "schema": {"type": "integer"},
            }
        ],
        "responses": {
            "200": {
                "description": "The notification",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Notification"}}
                },
            },
            "401": {
                "description": "No token or a bad one",
                "content": {"application/json": {"schema": _ERR}},
            },
            "404": {
                "description": "Not this user's notification",
                "content": {"application/json": {"schema": _ERR}},
            },
        },
    }
}
