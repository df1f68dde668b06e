"""A realistic demo county (示范县), loaded by ``flask --app wsgi demo``.

Idempotent: stations, users and people are looked up by their natural keys
(code, username, ID number) and only missing ones are created. ID numbers are
well-formed (valid check digit) but clearly fictional: every serial is 9xx.

The package: ``data`` (the county's tables), ``load`` (``load_demo``, every part in turn
from one seeded random stream), and a loader per part: ``county`` (unit, stations, users,
people), ``cases``, ``assessments`` (and activities), ``resettlement``, ``checkins`` and
``photos``. The order of the random draws is the demo: moving one changes every figure.
"""

from corrections.demo.assessments import load_demo_activities, load_demo_assessments  # noqa: F401
from corrections.demo.cases import add_months_safe, load_demo_cases  # noqa: F401
from corrections.demo.checkins import demo_face, load_demo_checkins  # noqa: F401
from corrections.demo.data import (  # noqa: F401
    DEMO_PASSWORD,
    DEMO_PIN,
    DEMO_STATIONS,
    DEMO_UNIT,
    DEMO_USERS,
)
from corrections.demo.load import load_demo  # noqa: F401
from corrections.demo.photos import load_demo_photos  # noqa: F401
from corrections.demo.resettlement import load_demo_resettlement  # noqa: F401
