"""What a 安置帮教 write accepts, declared once (docs/api.md: How the API is described).

Each model is the body of an API write and the description of a web form's values: the
services read them with ``Fields.read`` (corrections/validation.py) and the OpenAPI is
generated from them. Field order is the order in which the messages of a refused form are
listed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import Field

from corrections.core.incidents import SEARCH_METHODS
from corrections.resettlement.models import (
    ASSISTANCE_KINDS,
    CONTACT_KINDS,
    END_REASONS,
    HANDOVER_METHODS,
    SOURCES,
    VERIFICATION_RESULTS,
)
from corrections.schema import LookedUp, Schema, Version, doc, enum
from corrections.supervision.models import CORRECTION_TYPES


class ResettlementCreate(Schema):
    person_id: Annotated[int, LookedUp()]
    station: Annotated[str, LookedUp(), Field(description="Station code")]
    source: enum(SOURCES)
    released_on: date = doc("Given: released; else expected_release_on is needed", default=None)
    expected_release_on: date = doc("A pre-release notice", default=None)
    notice_received_on: date = None
    facility: str = Field(None, max_length=200)
    crime: str = Field(None, max_length=200)
    sentence: str = Field(None, max_length=200)
    is_key: bool = None
    key_reason: str = Field(None, max_length=1000)
    recommendation: str = Field(None, max_length=4000, description="The prison's 帮教建议")
    correction_type: enum(CORRECTION_TYPES) = doc(
        "source correction, when the person's ended correction case is not in the system",
        default=None,
    )


class ReleaseBody(Schema):
    released_on: date
    version: Version = None


class KeyBody(Schema):
    effective_on: date
    is_key: bool
    reason: str = Field(max_length=1000)
    version: Version = None


class VerificationBody(Schema):
    verified_on: date
    result: enum(VERIFICATION_RESULTS)
    version: Version = None


class HandoverBody(Schema):
    handed_over_on: date
    method: enum(HANDOVER_METHODS)
    version: Version = None


class ResettlementContactBody(Schema):
    kind: enum(CONTACT_KINDS)
    occurred_on: date
    note: str = Field(None, max_length=2000)


class AssistanceBody(Schema):
    kind: enum(ASSISTANCE_KINDS)
    given_on: date
    amount: Decimal = Field(
        None,
        ge=0,
        le=10_000_000,
        decimal_places=2,
        description="A number, or a decimal string (yuan, two decimals at most)",
    )
    note: str = Field(None, max_length=2000)


class LostSearchBody(Schema):
    """A search for a person lost contact with (web form only): a bulletin besides."""

    searched_on: date
    method: enum((*SEARCH_METHODS[:-1], "bulletin", "other"))
    note: str = Field(None, max_length=2000)


class LostClose(Schema):
    """The end of a 失联 record (web form only)."""

    found_on: date
    outcome: str = Field(max_length=2000)


class EndBody(Schema):
    ended_on: date
    reason: enum(END_REASONS)
    version: Version = None
