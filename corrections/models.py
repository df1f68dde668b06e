"""Imports every feature's models so Alembic and create_all() see them all."""

import corrections.activities.models  # noqa: F401
import corrections.alerts.models  # noqa: F401
import corrections.assessments.models  # noqa: F401
import corrections.audit.models  # noqa: F401
import corrections.checkin.models  # noqa: F401
import corrections.numbering  # noqa: F401  (NumberSequence, OfficialNumber)
import corrections.paperwork.models  # noqa: F401
import corrections.people.models  # noqa: F401
import corrections.reminders.models  # noqa: F401
import corrections.reports.models  # noqa: F401
import corrections.resettlement.models  # noqa: F401
import corrections.rules.holidays  # noqa: F401  (HolidayEntry, HolidayYear)
import corrections.rules.models  # noqa: F401
import corrections.storage  # noqa: F401  (StoredFile)
import corrections.supervision.models  # noqa: F401
from corrections.auth.models import User  # noqa: F401  (and every auth model)
