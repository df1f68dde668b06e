"""Official documents (文书) generated from the records as PDF, each with a number.

A registry of document kinds: each names its title, the programme whose case it
belongs to, the record it is made from (a leave, a sanction, an assessment), the
state the records must be in, and how it reads. ``generate`` checks the user and
the scope, takes the next number of the unit's per-year, per-kind series from the
numbering service (corrections/numbering.py), renders the PDF, stores it with the attachments'
content-addressed storage (SHA-256, size and key on the row) and records the
audit event last. A stored document is downloaded again as the same file with
the same number (scope checked, checksum verified); generating again is a new
document with a new number.

A sanction's decision or request (训诫决定书, 警告决定书, 提请…建议书) carries the
sanction's own number (``Sanction.document_number``, issued in the document's series
when it was decided): no second number is taken, and generating it
again keeps that number.

The number reads like the paper one: ``示范县矫宣〔2026〕3号`` (the county, the
kind's abbreviation, the year, the serial).

Every paper is one a bureau stamps and files (docs/domain.md §7.9): the serif font
(``printing.serif_font``), no running header or footer (the generation time is in the PDF's
metadata), no doubled brackets (``tidy``), the sentencing document and verb of the case's
type instead of "判决（裁定、决定）", the issuing organ and date bottom-right with room for
the seal, and the 签收 lines on a paper served on the person.


The package, by paper family: ``forms`` (the registry and the pieces every paper is made of),
``correction`` (入矫 and 外出), ``sanctions`` (奖惩), ``release`` (解除), ``assessment``
(调查评估), ``resettlement`` (安置帮教) and ``service`` (generate, store, list, download).
Importing the package registers every kind, in this order.
"""

import importlib

from corrections.paperwork.documents.forms import (  # noqa: F401
    KINDS,
    Doc,
    DocKind,
    cn_date,
    sentencing_document,
    tidy,
)
from corrections.paperwork.documents.service import (  # noqa: F401
    case_in_scope,
    documents_of,
    generate,
    generated_for,
    get_for,
    kind_for,
    kinds_for,
    links_for,
    open_for_download,
    record_download,
    render,
)

# The families register their kinds when imported, in this order (the order of the lists).
for _family in ("correction", "sanctions", "release", "assessment", "resettlement"):
    importlib.import_module(f"{__name__}.{_family}")
