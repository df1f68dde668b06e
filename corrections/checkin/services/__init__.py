"""Self check-in: enrolment, activation, the PIN, check-ins and their review.

The rules are in docs/domain.md §7.12; the login realm and what is kept in
docs/security.md ("The person's realm").

The package, by area: ``common`` (limits and helpers), ``enrolment`` (enrolment, codes,
activation), ``access`` (PIN login, sessions, the reference photo), ``requesting`` (the
officer's and the schedule's requests, expiry), ``submission`` (the person's check-in),
``reviewing`` (review, queue, figures), ``retention`` (photo deletion), ``questions`` (unit
questions, notices) and ``leave`` (the person's leave). Every name is re-exported here.
"""

from corrections.checkin.services.access import (  # noqa: F401
    SESSION_IDLE,
    SESSION_MAX,
    end_person_session,
    login,
    officer_phone,
    session_enrolment,
    set_reference,
    start_person_session,
)
from corrections.checkin.services.common import (  # noqa: F401
    APPROXIMATE_M,
    CODE_ALPHABET,
    CODE_DAYS,
    CODE_LENGTH,
    CODE_MAX_FAILURES,
    MAX_DUE_DAYS,
    MAX_QUESTIONS,
    PHONE,
    PHOTO_MAX_AGE,
    PIN,
    PIN_MAX_FAILURES,
    _aware,
    china_date,
    china_time,
    enrolment_of,
    normalise_code,
    retention_days,
)
from corrections.checkin.services.enrolment import (  # noqa: F401
    activate,
    activation_url,
    check_pin_format,
    code_enrolment,
    end_enrolment,
    end_for_ended_cases,
    enrol,
    new_code,
    send_link,
    send_sms,
)
from corrections.checkin.services.leave import (  # noqa: F401
    PersonActor,
    apply_leave,
    person_leaves,
)
from corrections.checkin.services.questions import (  # noqa: F401
    add_notice,
    add_question,
    notices,
    questions_for,
    retire_question,
)
from corrections.checkin.services.requesting import (  # noqa: F401
    checkin_snapshot,
    expire_due_checkins,
    open_checkin,
    request_checkin,
    request_due_checkins,
)
from corrections.checkin.services.retention import (  # noqa: F401
    apply_retention,
)
from corrections.checkin.services.reviewing import (  # noqa: F401
    checkin_in_scope,
    checkin_url,
    on_time_rate_by_station,
    queue_age_by_station,
    queue_query,
    review,
)
from corrections.checkin.services.submission import submit  # noqa: F401
