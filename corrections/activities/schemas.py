"""What a group activity write accepts, declared once (docs/api.md: How the API is
described): the API body and the web form, read by ``Fields.read``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import Field

from corrections.activities.models import ACTIVITY_KINDS
from corrections.schema import LookedUp, Schema, enum


class ActivityBody(Schema):
    station: Annotated[str, LookedUp(), Field(description="Station code")]
    kind: enum(ACTIVITY_KINDS)
    held_on: date
    hours: Decimal = Field(
        ge=Decimal("0.1"),
        le=24,
        decimal_places=1,
        description="A number, or a decimal string (one decimal at most)",
    )
    topic: str = Field(None, max_length=200)
    place: str = Field(None, max_length=200)
    note: str = Field(None, max_length=2000)
    attendees: list[int] = Field(min_length=1, description="Correction case ids")
