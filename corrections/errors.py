"""Domain errors: raised by services, rendered by both the UI and the API.

Each carries a machine ``code``, a human ``message`` (already translated for
the current request's language) and optional per-field messages.
"""

from __future__ import annotations


class DomainError(Exception):
    status = 422
    code = "invalid"

    def __init__(
        self, message: str, *, fields: dict[str, str] | None = None, code: str | None = None
    ):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code

    def to_dict(self) -> dict:
        body: dict = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return body


class ValidationFailed(DomainError):
    """Missing or mistyped fields, unknown codes (422)."""

    status = 422
    code = "validation_failed"


class RuleViolation(DomainError):
    """A domain rule refuses the action (422)."""

    status = 422
    code = "rule_violation"


class Conflict(DomainError):
    """A stale version or a duplicate (409)."""

    status = 409
    code = "conflict"

    def __init__(self, message: str, *, existing_id: int | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.existing_id = existing_id

    def to_dict(self) -> dict:
        body = super().to_dict()
        if self.existing_id is not None:
            body["existing_id"] = self.existing_id
        return body


class StaleVersion(Conflict):
    code = "stale_version"


class Duplicate(Conflict):
    code = "duplicate"


class Forbidden(DomainError):
    """The role may not do this (403)."""

    status = 403
    code = "forbidden"


class NotFound(DomainError):
    """Missing or out of scope: both look the same from outside (404)."""

    status = 404
    code = "not_found"


class RecordsAfterEnd(RuleViolation):
    """An end date earlier than records of the case (docs/domain.md §7.6, 422).

    ``fields`` holds the end-date field with its message and one key per record,
    ``"<kind>:<id>"`` → the record's date (ISO); ``records`` keeps them for pages.
    """

    code = "records_after_end"

    def __init__(self, message: str, *, field: str, field_message: str, records: list):
        fields = {field: field_message}
        fields.update({f"{r.kind}:{r.record_id}": r.on.isoformat() for r in records})
        super().__init__(message, fields=fields)
        self.records = records
