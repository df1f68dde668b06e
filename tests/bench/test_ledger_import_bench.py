"""Smoke test: the ledger-import benchmark builds its ledger and imports every row."""

from __future__ import annotations

import csv
import io

from bench.ledger_import import HEADERS, ledger_csv, run
from corrections.people.idnumber import parse


def test_generated_ledger_is_clean():
    rows = list(csv.reader(io.StringIO(ledger_csv(12).decode("utf-8-sig"))))
    assert rows[0] == HEADERS and len(rows) == 13
    numbers = [r[HEADERS.index("公民身份号码")] for r in rows[1:]]
    assert len(set(numbers)) == 12
    assert all(parse(n) for n in numbers)
    kinds = [r[HEADERS.index("类别")] for r in rows[1:]]
    assert kinds.count("安置帮教") == 2


def test_benchmark_imports_every_row(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    result = run(f"sqlite:///{tmp_path / 'ledger.sqlite'}", 20)
    assert result["committed"] and result["people"] == 20
    assert {"read_s", "dry_run_s", "import_s"} <= set(result)
    assert {"refuse_250000_rows_s", "refuse_100_columns_s"} <= set(result)  # both refused
