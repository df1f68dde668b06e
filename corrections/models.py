"""Imports every feature's models so Alembic and create_all() see them all."""

from corrections.activities.models import Activity, Attendance  # noqa: F401
from corrections.alerts.models import (  # noqa: F401
    Alert,
    AlertStep,
    LocationImportMapping,
    UnitArea,
)
from corrections.assessments.models import Assessment, AssessmentExtension  # noqa: F401
from corrections.audit.models import AuditAnchor, AuditEvent  # noqa: F401
from corrections.auth.models import (  # noqa: F401
    ApiToken,
    Station,
    Unit,
    User,
    UserSession,
    user_stations,
)
from corrections.checkin.models import (  # noqa: F401
    Checkin,
    CheckinEnrolment,
    CheckinNotice,
    CheckinQuestion,
    PersonSession,
)
from corrections.numbering import NumberSequence, OfficialNumber  # noqa: F401
from corrections.paperwork.models import Attachment, GeneratedDocument  # noqa: F401
from corrections.people.models import Person  # noqa: F401
from corrections.reminders.models import Delivery, JobRun, Notification  # noqa: F401
from corrections.reports.models import ClosedMonth, ClosedMonthStation  # noqa: F401
from corrections.resettlement.models import (  # noqa: F401
    Assistance,
    KeyStatusChange,
    LostContact,
    LostContactSearch,
    ResettlementCase,
    ResettlementContact,
)
from corrections.rules.holidays import HolidayEntry, HolidayYear  # noqa: F401
from corrections.rules.models import ContactRuleRow, DeadlineRuleRow  # noqa: F401
from corrections.storage import StoredFile  # noqa: F401
from corrections.supervision.models import (  # noqa: F401
    CaseLevel,
    ChecklistItem,
    Contact,
    CorrectionCase,
    CorrectionPlan,
    Incident,
    IncidentSearch,
    Leave,
    MedicalReview,
    MonitoringEpisode,
    MonitoringExtension,
    OfficerAssignment,
    Sanction,
    StationMove,
    TeamMember,
)
