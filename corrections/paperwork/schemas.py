"""What a request for an official document names, declared once (docs/api.md: How the API
is described): the records the document is made from, which ``documents.generate`` finds in
the user's scope."""

from __future__ import annotations

from typing import Annotated

from corrections.schema import LookedUp, Schema, doc


class DocumentBody(Schema):
    case_id: Annotated[int, LookedUp()] = doc(
        "A correction case, a resettlement case or (assessment_opinion) an assessment"
    )
    record_id: Annotated[int, LookedUp()] = doc(
        "The leave or sanction, for the kinds made from one", default=None
    )
