"""What a client writes about a person, declared once (docs/api.md: How the API is
described). ``people.services`` checks a person's values by these declarations (its text
limits and choices come from ``PersonFields``), the API reads and describes them."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from corrections.people.models import EDUCATION_LEVELS, EMPLOYMENT_STATES, FLAGS, HOUSEHOLD_TYPES
from corrections.schema import LookedUp, Schema, doc, enum

Household = enum(HOUSEHOLD_TYPES)
Education = enum(EDUCATION_LEVELS)
Employment = enum(EMPLOYMENT_STATES)
Flag = enum(FLAGS)


class PersonFields(Schema):
    """What a client writes about a person (every field optional on update)."""

    name: str = Field(None, max_length=100)
    id_number: Annotated[str, LookedUp()] = doc("18 characters; spaces are ignored", default=None)
    phone: str = Field(None, max_length=50)
    ethnicity: str = Field(None, max_length=50)
    household_type: Household | None = None
    household_address: str = Field(None, max_length=200)
    residence_address: str = Field(None, max_length=200)
    same_address: bool = None
    education: Education | None = None
    employment: Employment | None = None
    emergency_contact: str = Field(None, max_length=200)
    notes: str = Field(None, max_length=5000)
    flags: list[Flag] = None


class PersonCreate(PersonFields):
    name: str = Field(max_length=100)
    id_number: Annotated[str, LookedUp()] = doc("18 characters; spaces are ignored")
    station: str = None


class PersonUpdate(PersonFields):
    """Send the current version (409 when someone changed the person since)."""

    version: int


class StationCreate(Schema):
    code: str = Field(max_length=32, description="Letters, digits, _ and - (32 at most)")
    name: str = Field(max_length=100)
