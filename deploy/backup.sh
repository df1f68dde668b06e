#!/bin/sh
# Nightly backup (deploy/systemd/corrections-backup.timer; docs/operations.md):
# the database (stored files included when STORAGE_BACKEND=database), the local file
# store when there is one, the audit anchor file, and an audit check of the copy.
set -eu
: "${BACKUP_DIR:?set BACKUP_DIR}"
: "${DATABASE_URL:?set DATABASE_URL}"
cd "$(dirname "$0")/.."
FLASK="${FLASK:-.venv/bin/flask}"
day=$(date +%F)
mkdir -p "$BACKUP_DIR"

case "$DATABASE_URL" in
  postgres*)
    pg_dump --format=custom --file="$BACKUP_DIR/$day.dump" "$DATABASE_URL"
    ;;
  sqlite*)
    "$FLASK" --app wsgi backup "$BACKUP_DIR/$day.db"
    ;;
esac

if [ "${STORAGE_BACKEND:-}" = "local" ] && [ -n "${ATTACHMENT_DIR:-}" ]; then
  tar -C "$ATTACHMENT_DIR" -czf "$BACKUP_DIR/$day.files.tar.gz" .
fi
# S3 storage: mirror the bucket with the provider's tools (e.g. `mc mirror`), see docs.

anchors="${AUDIT_ANCHOR_FILE:-${INSTANCE_PATH:-instance}/audit-anchors.jsonl}"
if [ -f "$anchors" ]; then
  cp "$anchors" "$BACKUP_DIR/audit-anchors.jsonl"
fi
# The chain must verify against the anchors kept with the backups.
if [ -f "$BACKUP_DIR/audit-anchors.jsonl" ]; then
  "$FLASK" --app wsgi audit verify --anchors "$BACKUP_DIR/audit-anchors.jsonl"
else
  "$FLASK" --app wsgi audit verify
fi
find "$BACKUP_DIR" -name '20*' -mtime +"${BACKUP_KEEP_DAYS:-35}" -delete
echo "backup $day done in $BACKUP_DIR"
