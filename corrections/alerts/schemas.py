"""What a step of an alert's handling accepts, declared once (docs/api.md: How the API is
described): the API body and the web form, read by ``Fields.read``."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field

from corrections.alerts.models import OUTCOMES, STEP_ACTIONS
from corrections.schema import LookedUp, Schema, Version, doc, enum
from corrections.supervision.models import INCIDENT_KINDS, SANCTION_KINDS


class StepBody(Schema):
    action: enum(STEP_ACTIONS)
    note: str = Field(max_length=4000)
    outcome: enum(OUTCOMES) = doc("close only, and then required", default=None)
    sanction_kind: enum(SANCTION_KINDS) = doc("sanction_proposed: recorded now", default=None)
    sanction_id: Annotated[int, LookedUp()] = doc(
        "sanction_proposed: a sanction of the case instead", default=None
    )
    incident_kind: enum(INCIDENT_KINDS) = doc("incident_opened (default absconded)", default=None)
    incident_id: Annotated[int, LookedUp()] = doc(
        "incident_opened: an incident of the case instead", default=None
    )
    occurred_on: date = doc("incident_opened: default the day the alert was raised", default=None)
    version: Version = None
