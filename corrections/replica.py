"""Reports read from a PostgreSQL streaming replica when one is configured.

With ``REPORTS_DATABASE_URL`` set, the report pages and exports (summary, drill-down,
monthly PDF and workbook, the legacy form, and their API twins) send their SELECTs to
that replica; everything else, and every write, goes to the primary
(docs/deployment.md, Read scaling). A replica lags the primary by the time it takes to
replay the WAL (usually well under a second on a local network): a record saved a moment
ago may be missing from a report for that long.
"""

from __future__ import annotations

import functools

from flask import g, has_request_context
from flask_sqlalchemy.session import Session

BIND = "reports"


class RoutingSession(Session):
    """Routes plain SELECTs to the ``reports`` engine while a view asked for it."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if (
            bind is None
            and not self._flushing
            and has_request_context()
            and g.get("read_replica")
            and getattr(clause, "is_select", False)
        ):
            engine = self._db.engines.get(BIND)
            if engine is not None:
                return engine
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


def reads_from_replica(view):
    """Decorate a read-only view (inside ``login_required``) whose queries may use the replica."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        g.read_replica = True
        try:
            return view(*args, **kwargs)
        finally:
            g.read_replica = False

    return wrapped
