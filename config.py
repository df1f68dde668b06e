"""Configuration, read from the environment.

Only two variables matter for a deployment: ``DATABASE_URL`` (default: a
SQLite file in the instance folder) and ``SECRET_KEY`` (required outside
development). Everything else has a sensible default.
"""

from __future__ import annotations

import os


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def normalise_database_url(url: str) -> str:
    """Open ``postgresql://`` URLs with psycopg 3 (SQLAlchemy defaults to psycopg2)."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


# TrueType CJK fonts that ReportLab can embed (TrueType outlines, not CFF), most common first.
CJK_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # fonts-wqy-zenhei
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # fonts-wqy-microhei
    "/usr/share/fonts/truetype/arphic/uming.ttc",  # fonts-arphic-uming
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",  # fonts-droid-fallback
)


SERIF_FONT = "/usr/share/fonts/truetype/arphic/uming.ttc"  # fonts-arphic-uming, face 0: CN


def _first_existing(paths) -> str | None:
    return next((p for p in paths if os.path.isfile(p)), None)


class Config:
    ENV_NAME = "production"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # The audit chain's HMAC key, kept outside the database (required outside development);
    # previous keys stay listed (comma-separated) while the chain has events signed with them.
    AUDIT_KEY = os.environ.get("AUDIT_KEY")
    AUDIT_PREVIOUS_KEYS = os.environ.get("AUDIT_PREVIOUS_KEYS", "")
    # Daily anchors are appended here too (default <instance>/audit-anchors.jsonl): copy it off-host.
    AUDIT_ANCHOR_FILE = os.environ.get("AUDIT_ANCHOR_FILE")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")  # None: instance-folder SQLite
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # A PostgreSQL streaming replica for report pages and exports (optional).
    REPORTS_DATABASE_URL = os.environ.get("REPORTS_DATABASE_URL")
    # Secure cookies by default; SECURE_COOKIES=0 for intranets without TLS (logged as a warning).
    SESSION_COOKIE_SECURE = _bool("SECURE_COOKIES", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None
    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh", "en")
    # Flask-Limiter: memory:// is per process; use redis://… when running several workers.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = False
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "corrections")
    # Redis down: logins still work (the limiter fails open and logs the error).
    RATELIMIT_SWALLOW_ERRORS = True
    # A standby scheduler tries the lock this often; the active one checks it still holds it.
    SCHEDULER_POLL_SECONDS = float(os.environ.get("SCHEDULER_POLL_SECONDS", "15") or 15)
    # JSON job → cron fields, overriding entries of the built-in schedule.
    SCHEDULER_SCHEDULE = os.environ.get("SCHEDULER_SCHEDULE")
    # Failed logins: LOGIN_LIMIT per account from one address, LOGIN_ACCOUNT_LIMIT per account
    # from all addresses together (a guesser with many addresses); successes never count.
    LOGIN_LIMIT = os.environ.get("LOGIN_LIMIT", "10 per minute")
    LOGIN_ACCOUNT_LIMIT = os.environ.get("LOGIN_ACCOUNT_LIMIT", "20 per minute")
    # Browser sessions end on the server after this long without a request, and this long
    # after the login whatever happens (API tokens are not sessions and do not expire so).
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "30") or 30)
    SESSION_MAX_HOURS = int(os.environ.get("SESSION_MAX_HOURS", "12") or 12)
    PER_PAGE = 50
    MAX_PER_PAGE = 500
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    # "json": one JSON object per log line (with the request id); default plain text.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    # Log one line per request (method, path, status, time, user, request id).
    LOG_REQUESTS = _bool("LOG_REQUESTS", False)
    # /metrics: open to loopback only, or to this bearer token when set.
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN")
    # Reminder delivery channels beyond the inbox; each is off unless configured.
    SMTP_HOST = os.environ.get("SMTP_HOST")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", "25") or 25)
    SMTP_FROM = os.environ.get("SMTP_FROM", "reminders@localhost")
    SMTP_USER = os.environ.get("SMTP_USER")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD")
    SMTP_STARTTLS = _bool("SMTP_STARTTLS", False)
    WEBHOOK_URL = os.environ.get("WEBHOOK_URL")
    # Where attachments, photos and generated documents are kept: "local" (ATTACHMENT_DIR,
    # default <instance>/attachments), "database" (the default on PostgreSQL) or "s3".
    STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "")
    ATTACHMENT_DIR = os.environ.get("ATTACHMENT_DIR")
    S3_BUCKET = os.environ.get("S3_BUCKET")
    S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL")  # MinIO: http://minio:9000
    S3_REGION = os.environ.get("S3_REGION")
    S3_PREFIX = os.environ.get("S3_PREFIX", "")
    S3_ACCESS_KEY_ID = os.environ.get("S3_ACCESS_KEY_ID")
    S3_SECRET_ACCESS_KEY = os.environ.get("S3_SECRET_ACCESS_KEY")
    MAX_ATTACHMENT_MB = int(os.environ.get("MAX_ATTACHMENT_MB", "20") or 20)
    # self check-in (docs/domain.md §7.12, docs/security.md "The person's realm")
    CHECKIN_PHOTO_RETENTION_DAYS = int(os.environ.get("CHECKIN_PHOTO_RETENTION_DAYS", "180") or 180)
    CHECKIN_MAX_PHOTO_MB = int(os.environ.get("CHECKIN_MAX_PHOTO_MB", "10") or 10)
    CHECKIN_FACE_VERIFIER = os.environ.get("CHECKIN_FACE_VERIFIER", "none")
    CHECKIN_FACE_TOLERANCE = float(os.environ.get("CHECKIN_FACE_TOLERANCE", "0.6") or 0.6)
    # the number a person is told to call, per station code (JSON) and otherwise
    CHECKIN_STATION_PHONES = os.environ.get("CHECKIN_STATION_PHONES", "")
    CHECKIN_DEFAULT_PHONE = os.environ.get("CHECKIN_DEFAULT_PHONE", "")
    IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "20000") or 20000)
    IMPORT_MAX_COLUMNS = int(os.environ.get("IMPORT_MAX_COLUMNS", "60") or 60)
    # Reverse proxies: number of X-Forwarded-For hops to trust (0: none).
    PROXY_FIX_HOPS = int(os.environ.get("PROXY_FIX_HOPS", "0") or 0)
    # Printable PDFs embed this TrueType CJK font (a .ttf, or a .ttc whose first face is used).
    # Without one the app refuses to start outside development and testing; there
    # ReportLab's built-in STSong-Light CID font (not embedded) is used with a warning.
    CJK_FONT_PATH = os.environ.get("CJK_FONT_PATH") or _first_existing(CJK_FONT_CANDIDATES)
    # Decision documents and other papers that are stamped print in a serif (宋体-like) CJK
    # font, embedded: AR PL UMing (fonts-arphic-uming) by default; when the file is missing
    # they print in CJK_FONT_PATH's font.
    CJK_SERIF_FONT_PATH = os.environ.get("CJK_SERIF_FONT_PATH") or SERIF_FONT
    # A web worker compiles every page template when it starts, so its first requests are as
    # fast as the others (docs/performance.md); management commands skip it.
    WARM_UP = _bool("WARM_UP", True)


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    WARM_UP = _bool("WARM_UP", False)
    SECRET_KEY = os.environ.get("SECRET_KEY") or "development-only-not-secret"
    AUDIT_KEY = os.environ.get("AUDIT_KEY") or "development-only-audit-key"
    SESSION_COOKIE_SECURE = _bool("SECURE_COOKIES", False)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    WARM_UP = False
    SECRET_KEY = "testing-not-secret"
    AUDIT_KEY = "testing-audit-key"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    WTF_CSRF_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    # The suite's own file checks look at the local folder; tests/storage covers the others.
    STORAGE_BACKEND = os.environ.get("TEST_STORAGE_BACKEND", "local")
    # Tests create many users; production keeps werkzeug's default scrypt.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"


CONFIGS = {
    "production": Config,
    "development": DevelopmentConfig,
    "testing": TestingConfig,
}


def config_for(name: str | None = None) -> type[Config]:
    name = name or os.environ.get("APP_ENV", "production")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"APP_ENV must be one of {', '.join(CONFIGS)}, not {name!r}") from None
