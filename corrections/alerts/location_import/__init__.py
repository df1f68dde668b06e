"""信息化核查 triage import (docs/domain.md §7.11): the carrier platform's location-check
export → three lists (location_missing, outside_area, location_anomaly) → alerts for the
rows the officer selects.

The file is streamed: CSV rows are decoded as they are read (UTF-8 with or without BOM,
UTF-16 with BOM, else GB18030 — a superset of GBK — detected from the start of the file and
re-read once if a later byte says otherwise); an .xlsx sheet is read row by row (openpyxl
read-only). Only per person and day aggregates stay in memory. Column headers are recognised
as the ledger import recognises its own (``ledger_table._norm_header``), a unit's mapping
is remembered after its first real import, and a dry run writes nothing at all.

Rows are matched to the active correction cases in the user's scope by ID number only: a
number that is not one of them (unknown, ended, or in another unit) is listed as unmatched
with the same words, so nothing about other units is revealed. Rules (rule rows, docs/domain.md
§7.11):

* location_missing — a matched person has no successful check on a day the file covers;
* outside_area — a successful check flagged out of area by the platform, or whose coordinates
  lie outside the area of the case's station (``areas.outside_area``);
* location_anomaly — (a) ``location_same_position_days`` consecutive days on which every
  successful check lies within ``location_same_position_m`` metres of the same place and the
  phone was flagged off-body; (b) a check at night (from ``location_night_start_hour`` to
  ``location_night_end_hour``) more than ``location_night_far_m`` metres from the person's
  usual position (the most frequent position, to about 100 m, of their daytime checks in the
  file, when there are at least three).

The package: ``reading`` (columns, encodings, CSV and .xlsx rows, cells), ``triage`` (rows
matched and aggregated, the three lists) and ``run`` (the import, the alerts raised, the
mapping remembered). Every name is re-exported here.
"""

from corrections.alerts.location_import.reading import (  # noqa: F401
    DEFAULT_MAX_ROWS,
    FIELD_LABELS,
    FIELDS,
    HEADER_SEARCH_ROWS,
    LISTS,
    MAX_DAYS,
    PROGRESS_EVERY,
    ImportFileError,
    check_mapping,
    detect_encoding,
    guess_mapping,
    parse_flag,
    parse_mapping_override,
    parse_selection,
    parse_status,
    parse_time,
    recognise,
)
from corrections.alerts.location_import.run import run_location_import  # noqa: F401
from corrections.alerts.location_import.triage import (  # noqa: F401
    Result,
    _is_night,
    remembered_mapping,
    result_json,
)
