"""Ledger import pages (/import/) and the ``flask import`` command.

upload → column mapping → dry run (every row's problems) → confirm → report.
The uploaded file waits under ``<instance>/imports/<id>.<ext>`` with a small JSON
file (owner, name, mapping, progress); the progress endpoint reads that JSON so
it works with several web workers.  Rows are processed inside the request; the
pages poll ``/import/<id>/progress`` meanwhile to draw a progress bar.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import uuid

import click
from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlalchemy import select

from corrections.auth.models import User
from corrections.extensions import db
from corrections.paperwork import ledger_import as li
from corrections.web import (
    load_upload_meta,
    require_role,
    save_upload_meta,
    upload_dir,
)

bp = Blueprint("ledger_import", __name__, url_prefix="/import", cli_group=None)


_IMPORTS = "imports"


def _dir() -> str:
    return upload_dir(_IMPORTS)


def _load(import_id: str) -> dict:
    return load_upload_meta(_IMPORTS, import_id)


def _save(import_id: str, meta: dict) -> None:
    save_upload_meta(_IMPORTS, import_id, meta)


def _parsed_path(import_id: str) -> str:
    return os.path.join(_dir(), f"{import_id}.table.json")


def _table(import_id: str, meta: dict) -> li.Table:
    """The rows parsed at upload (the sheet is read once, not on every step)."""
    if meta.get("stored_removed"):
        abort(404)  # imported: the upload is not kept
    try:
        with open(_parsed_path(import_id), encoding="utf-8") as fh:
            return li.table_from_json(json.load(fh))
    except FileNotFoundError:
        pass  # uploaded before the parsed rows were kept
    try:
        with open(os.path.join(_dir(), meta["stored"]), "rb") as fh:
            return li.read_table(meta["filename"], fh.read())
    except FileNotFoundError:
        abort(404)  # imported (the upload is removed) or cleaned up


@bp.before_request
@login_required
def _writers_only():
    require_role("writer", gettext("您没有权限执行此操作。"))


@bp.route("/", methods=["GET", "POST"])
def upload():
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash("请选择要导入的 .xlsx 或 .csv 文件。", "danger")
            return render_template("paperwork/import_upload.html"), 422
        filename = os.path.basename(upload.filename)
        ext = os.path.splitext(filename)[1].lower()
        raw = upload.read()
        try:
            table = li.read_table(filename, raw)
        except li.ImportFileError as e:
            flash(str(e), "danger")
            return render_template("paperwork/import_upload.html"), 422
        import_id = uuid.uuid4().hex
        with open(os.path.join(_dir(), import_id + ext), "wb") as fh:
            fh.write(raw)
        with open(_parsed_path(import_id), "w", encoding="utf-8") as fh:
            json.dump(li.table_to_json(table), fh, ensure_ascii=False)
        _save(
            import_id,
            {
                "user_id": current_user.id,
                "filename": filename,
                "stored": import_id + ext,
                "rows": len(table.rows),
                "mapping": {str(k): v for k, v in li.guess_mapping(table.headers).items()},
                "progress": {"done": 0, "total": len(table.rows), "state": "uploaded"},
            },
        )
        return redirect(url_for("ledger_import.mapping", import_id=import_id))
    return render_template("paperwork/import_upload.html")


@bp.route("/<import_id>/mapping")
def mapping(import_id: str):
    meta = _load(import_id)
    table = _table(import_id, meta)
    return render_template(
        "paperwork/import_mapping.html",
        import_id=import_id,
        meta=meta,
        headers=table.headers,
        samples=[cells for _, cells in table.rows[:3]],
        mapping={int(k): v for k, v in meta["mapping"].items()},
        fields=li.FIELD_LABELS,
    )


def _progress_callback(import_id: str, meta: dict, state: str):
    def progress(done: int, total: int) -> None:
        meta["progress"] = {"done": done, "total": total, "state": state}
        _save(import_id, meta)

    return progress


@bp.route("/<import_id>/dry-run", methods=["POST"])
def dry_run(import_id: str):
    meta = _load(import_id)
    table = _table(import_id, meta)
    chosen = {}
    for i in range(len(table.headers)):
        key = request.form.get(f"col-{i}", "")
        if key in li.FIELDS:
            chosen[i] = key
    meta["mapping"] = {str(k): v for k, v in chosen.items()}
    meta["checked"] = False
    report = li.run_import(
        current_user,
        table,
        chosen,
        dry_run=True,
        filename=meta["filename"],
        progress=_progress_callback(import_id, meta, "dry_run"),
    )
    meta["checked"] = report.ok
    meta["progress"] = {"done": report.total, "total": report.total, "state": "checked"}
    _save(import_id, meta)
    return render_template(
        "paperwork/import_results.html", import_id=import_id, meta=meta, report=report
    )


@bp.route("/<import_id>/run", methods=["POST"])
def run(import_id: str):
    meta = _load(import_id)
    if meta.get("state") == "imported":
        flash("该文件已经导入。", "warning")
        return redirect(url_for("ledger_import.upload"))
    if not meta.get("checked"):
        flash("请先完成试导入（检查）且没有问题后再导入。", "warning")
        return redirect(url_for("ledger_import.mapping", import_id=import_id))
    table = _table(import_id, meta)
    report = li.run_import(
        current_user,
        table,
        {int(k): v for k, v in meta["mapping"].items()},
        dry_run=False,
        filename=meta["filename"],
        progress=_progress_callback(import_id, meta, "importing"),
    )
    if report.committed:
        meta["state"] = "imported"
        meta["progress"] = {"done": report.total, "total": report.total, "state": "imported"}
        with contextlib.suppress(OSError):  # the upload is not kept once imported
            os.remove(os.path.join(_dir(), meta["stored"]))
        with contextlib.suppress(OSError):
            os.remove(_parsed_path(import_id))
        meta["stored_removed"] = True
    else:
        meta["checked"] = False
        meta["progress"] = {"done": report.total, "total": report.total, "state": "failed"}
    _save(import_id, meta)
    return render_template(
        "paperwork/import_results.html",
        import_id=import_id,
        meta=meta,
        report=report,
    ), (200 if report.committed else 422)


@bp.route("/<import_id>/progress")
def progress(import_id: str):
    meta = _load(import_id)
    return jsonify(meta.get("progress", {}))


# --------------------------------------------------------------------------- CLI


def print_report(report: li.Report, echo=click.echo) -> None:
    for r in report.problem_rows:
        where = f"第{r.line}行" if r.line else "列对应"
        who = f" {r.name}" if r.name else ""
        echo(f"{where}{who}：" + "；".join(p.rstrip("。") for p in r.problems))
    s = report.summary()
    verb = "试导入（未写入）" if report.dry_run else ("已导入" if report.committed else "未导入")
    echo(
        f"{verb}：共{s['rows']}行，有问题{s['rows_with_problems']}行；"
        f"新建人员{s['people']}人（已有人员{s['people_existing']}人），"
        f"社区矫正案件{s['correction_cases']}件，安置帮教案件{s['resettlement_cases']}件"
        f"（衔接{s['handovers']}件），联系记录{s['contacts']}条。"
    )


@bp.cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="只检查，不写入。")
@click.option(
    "--user", "username", help="以该用户身份导入（试导入时默认用第一个管理员或县局主管）。"
)
@click.option(
    "--map",
    "overrides",
    multiple=True,
    help="覆盖列对应：表头=字段（字段如 id_number、station，留空则忽略该列）。",
)
def import_command(path: str, dry_run: bool, username: str | None, overrides: tuple[str, ...]):
    """导入社区矫正 / 安置帮教台账（.xlsx / .csv）。"""
    if username:
        actor = db.session.execute(
            select(User).where(User.username == username)
        ).scalar_one_or_none()
        if actor is None or not actor.active:
            raise click.ClickException(f"用户 {username} 不存在或已停用。")
    elif dry_run:
        actor = (
            db.session.execute(
                select(User)
                .where(User.role.in_(("admin", "supervisor")), User.active.is_(True))
                .order_by(User.role, User.id)  # "admin" sorts first
            )
            .scalars()
            .first()
        )
        if actor is None:
            raise click.ClickException("没有管理员或县局主管账号；请用 --user 指定。")
    else:
        raise click.ClickException("正式导入需要 --user 用户名。")
    try:
        with open(path, "rb") as fh:
            table = li.read_table(os.path.basename(path), fh.read())
    except li.ImportFileError as e:
        raise click.ClickException(str(e)) from e
    mapping = li.guess_mapping(table.headers)
    for item in overrides:
        header, _, key = item.partition("=")
        cols = [i for i, h in enumerate(table.headers) if h == header.strip()]
        if not cols:
            raise click.ClickException(f"表头中没有“{header}”。")
        if key.strip() and key.strip() not in li.FIELDS:
            raise click.ClickException(f"未知字段“{key}”；可选：{', '.join(li.FIELDS)}。")
        for i in cols:
            if key.strip():
                mapping[i] = key.strip()
            else:
                mapping.pop(i, None)
    click.echo(
        "列对应："
        + "，".join(f"{table.headers[i]}→{li.FIELD_LABELS[k]}" for i, k in sorted(mapping.items()))
    )
    report = li.run_import(actor, table, mapping, dry_run=dry_run, filename=os.path.basename(path))
    print_report(report)
    if not report.ok:
        sys.exit(1)
