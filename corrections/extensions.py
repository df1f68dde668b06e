"""Flask extensions, created unbound and initialised in create_app()."""

from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from corrections.db import Base
from corrections.replica import RoutingSession

# Reports may read from a replica (corrections/replica.py); writes always use the primary.
db = SQLAlchemy(model_class=Base, session_options={"class_": RoutingSession})
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


def _limiter_key() -> str:
    return get_remote_address() or request.remote_addr or "unknown"


limiter = Limiter(key_func=_limiter_key, default_limits=[])
