"""Print a Markdown table of bench.run results side by side (for docs/performance.md).

python -m bench.table "province PG=results_province.json" "county SQLite=results_county.json"
"""

from __future__ import annotations

import json
import sys

ORDER = [
    "dashboard", "dashboard_filtered", "home_officer", "case_page", "figures_province",
    "figures_unit", "figures_station", "figures_closed_province", "figures_closed_unit",
    "figures_closed_station", "pdf_unit", "pdf_province", "workbook_unit", "checkin_queue",
    "checkin_submit", "contacts_8_clients", "figures_province_in_process",
    "figures_province_bare_sql", "location_import_dry_run", "location_import",
    "job_recompute_due_full", "job_recompute_due_nightly", "job_daily_reminders",
    "worker_peak_rss",
]  # fmt: skip
# the targets of the current round (docs/performance.md)
TARGETS = {
    "dashboard": "p95 ≤ 100", "dashboard_filtered": "p95 ≤ 100", "home_officer": "p95 ≤ 100",
    "case_page": "p95 ≤ 200", "figures_province": "p50 ≤ 300, p95 ≤ 400",
    "figures_unit": "≤ 150", "figures_closed_province": "≤ 50", "figures_closed_unit": "≤ 50",
    "figures_closed_station": "≤ 50", "pdf_unit": "≤ 1,500", "pdf_province": "≤ 2,000",
    "workbook_unit": "≤ 5,000", "checkin_queue": "p95 ≤ 150", "checkin_submit": "p95 ≤ 500",
    "contacts_8_clients": "≥ 300/s, p95 ≤ 60", "location_import": "≤ 30,000",
    "job_recompute_due_nightly": "≤ 45 s", "job_daily_reminders": "≤ 20 s",
    "worker_peak_rss": "≤ 300 MB",
}  # fmt: skip


def cell(row: dict | None) -> str:
    if row is None:
        return "–"
    if row["name"] == "worker_peak_rss":
        return f"{row['mb']:.0f} MB"
    if row["name"].startswith("job_"):
        return f"{row['p50_ms'] / 1000:,.1f} s"
    text = f"{row['p50_ms']:,.0f} / {row['p95_ms']:,.0f}"
    if "per_second" in row:
        text += f" ({row['per_second']:.0f}/s)"
    if "ratio_http_to_bare" in row:
        text += f" (app ÷ bare {row['ratio_http_to_bare']:.2f})"
    return text


def main(argv: list[str]) -> int:
    columns = []
    for arg in argv:
        label, _, path = arg.partition("=")
        with open(path) as fh:
            columns.append((label, {r["name"]: r for r in json.load(fh)["results"]}))
    print("| scenario | target | " + " | ".join(label for label, _ in columns) + " |")
    print("|---|---|" + "---|" * len(columns))
    for name in ORDER:
        cells = [cell(rows.get(name)) for _, rows in columns]
        if all(c == "–" for c in cells):
            continue
        print(f"| {name} | {TARGETS.get(name, '')} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
