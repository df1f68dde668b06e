"""What a pre-sentence investigation (调查评估) write accepts, declared once (docs/api.md: How
the API is described): the API body and the web form, read by ``Fields.read``."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field

from corrections.assessments.models import COMMISSIONERS, OPINIONS
from corrections.schema import LookedUp, Schema, Version, doc, enum
from corrections.supervision.models import CORRECTION_TYPES


class AssessmentCreate(Schema):
    station: Annotated[str, LookedUp(), Field(description="Station code")]
    name: str = Field(max_length=100)
    id_number: Annotated[str, LookedUp()] = doc("18 characters; spaces are ignored", default=None)
    commissioned_by: enum(COMMISSIONERS)
    commissioning_body: str = Field(None, max_length=200)
    crime: str = Field(None, max_length=200)
    proposed_type: enum(CORRECTION_TYPES) = None
    received_on: date
    fast_track: bool = None


class ExtendBody(Schema):
    working_days: int = Field(ge=1, le=30)
    reason: str = Field(max_length=1000)
    version: Version = None


class CompleteBody(Schema):
    completed_on: date
    opinion: enum(OPINIONS)
    opinion_note: str = Field(None, max_length=4000)
    version: Version = None
