"""The import as a whole: open the file, read and triage it, and unless it is a dry run raise
the selected alerts and remember the unit's mapping."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _
from sqlalchemy import select

from corrections import clock
from corrections.alerts import services
from corrections.alerts.location_import.reading import (
    ImportFileError,
    _csv_rows,
    _xlsx_rows,
    detect_encoding,
)
from corrections.alerts.location_import.triage import Result, _read
from corrections.alerts.models import LocationImportMapping
from corrections.audit.services import record
from corrections.auth.models import User
from corrections.deferred import deferred_writes
from corrections.errors import ValidationFailed
from corrections.extensions import db
from corrections.supervision.models import CorrectionCase


def run_location_import(
    user: User,
    filename: str,
    stream,
    *,
    dry_run: bool,
    selected: set[str] | None = None,
    mapping_override: dict[str, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Result:
    """Read, match and triage the export; unless ``dry_run``, raise an alert for each
    selected item (all items when ``selected`` is None) and remember the mapping.
    A file that cannot be used raises ValidationFailed (422) and writes nothing."""
    try:
        return _run(user, filename, stream, dry_run, selected, mapping_override, progress)
    except ImportFileError as e:
        db.session.rollback()
        raise ValidationFailed(str(e), fields={"file": str(e)}, code="import_refused") from None


def _open_rows(filename: str, stream, progress):
    lower = (filename or "").lower()
    if lower.endswith((".xlsx", ".xlsm")):
        return None, lambda: _xlsx_rows(stream, progress)
    if lower.endswith((".csv", ".txt")):
        stream.seek(0)
        head = stream.read(1 << 16)
        encoding = detect_encoding(head)
        return encoding, lambda enc=encoding: _csv_rows(stream, enc, progress)
    raise ImportFileError(_("只支持 .csv 与 .xlsx 文件（.xls 请先另存为 .xlsx）。"))


def _run(user, filename, stream, dry_run, selected, mapping_override, progress) -> Result:
    result = Result(dry_run=dry_run, filename=filename)
    encoding, rows_of = _open_rows(filename, stream, progress)
    result.encoding = encoding
    try:
        _read(user, result, rows_of(), mapping_override)
    except UnicodeDecodeError:
        if encoding not in ("utf-8", "utf-8-sig"):
            raise ImportFileError(_("文件中有无法按 %(e)s 解码的内容。", e=encoding)) from None
        # the start looked like UTF-8, a later part is not: the file is GBK after all
        result = Result(dry_run=dry_run, filename=filename, encoding="gb18030")
        try:
            _read(user, result, _csv_rows(stream, "gb18030", progress), mapping_override)
        except UnicodeDecodeError:
            raise ImportFileError(
                _(
                    "无法识别文件的编码（支持 UTF-8 与 GBK/GB18030）。请在 Excel 中另存为 CSV UTF-8。"
                )
            ) from None
    if progress:
        progress(1, 1)
    if not dry_run:
        _raise(user, result, selected)
    return result


def _raise(user: User, result: Result, selected: set[str] | None) -> None:
    if not user.can_write:
        from corrections.errors import Forbidden

        raise Forbidden(_("只读账号不能修改数据。"))
    chosen = [i for i in result.items if selected is None or i["key"] in selected]
    cases = {
        c.id: c
        for c in db.session.execute(
            select(CorrectionCase).where(CorrectionCase.id.in_({i["case_id"] for i in chosen}))
        ).scalars()
    }
    now = clock.now_utc()
    with deferred_writes():  # one audit-chain lock for the whole batch
        for item in chosen:
            case = cases[item["case_id"]]
            note = f"信息化核查（{item['day']}）：{item['reason']}"
            cause = f"import:{item['day']}"
            if services.raise_alert(case, item["kind"], cause=cause, note=note, at=now):
                result.alerts_created += 1
    if user.unit_id and result.mapping:
        row = db.session.execute(
            select(LocationImportMapping).where(LocationImportMapping.unit_id == user.unit_id)
        ).scalar_one_or_none()
        if row is None:
            row = LocationImportMapping(unit_id=user.unit_id, mapping={})
            db.session.add(row)
        row.mapping = {result.headers[i]: f for i, f in result.mapping.items()}
        row.updated_by_id = user.id
        row.rows_seen = (row.rows_seen or 0) + result.rows
    record(
        user,
        "alerts.location_import",
        "location_import",
        None,
        None,
        {
            "filename": result.filename,
            "rows": result.rows,
            "matched": result.matched,
            "unmatched": len(result.unmatched),
            "lists": result.lists,
            "selected": len(chosen),
            "alerts_created": result.alerts_created,
        },
    )
    db.session.flush()
