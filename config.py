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


def _first_existing(paths) -> str | None:
    return next((p for p in paths if os.path.isfile(p)), None)


class Config:
    ENV_NAME = "production"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")  # None: instance-folder SQLite
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
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
    LOGIN_LIMIT = os.environ.get("LOGIN_LIMIT", "10 per minute")
    PER_PAGE = 50
    MAX_PER_PAGE = 500
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    # Reminder delivery channels beyond the inbox; each is off unless configured.
    SMTP_HOST = os.environ.get("SMTP_HOST")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", "25") or 25)
    SMTP_FROM = os.environ.get("SMTP_FROM", "reminders@localhost")
    SMTP_USER = os.environ.get("SMTP_USER")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD")
    SMTP_STARTTLS = _bool("SMTP_STARTTLS", False)
    WEBHOOK_URL = os.environ.get("WEBHOOK_URL")
    # Attachments live outside the database (default: <instance>/attachments).
    ATTACHMENT_DIR = os.environ.get("ATTACHMENT_DIR")
    MAX_ATTACHMENT_MB = int(os.environ.get("MAX_ATTACHMENT_MB", "20") or 20)
    IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "20000") or 20000)
    IMPORT_MAX_COLUMNS = int(os.environ.get("IMPORT_MAX_COLUMNS", "60") or 60)
    # Reverse proxies: number of X-Forwarded-For hops to trust (0: none).
    PROXY_FIX_HOPS = int(os.environ.get("PROXY_FIX_HOPS", "0") or 0)
    # Printable PDFs embed this TrueType CJK font (a .ttf, or a .ttc whose first face is used);
    # when it is unset and none of the usual Debian fonts exists, ReportLab's built-in
    # STSong-Light CID font is used (not embedded).
    CJK_FONT_PATH = os.environ.get("CJK_FONT_PATH") or _first_existing(CJK_FONT_CANDIDATES)


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY") or "development-only-not-secret"
    SESSION_COOKIE_SECURE = _bool("SECURE_COOKIES", False)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-not-secret"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    WTF_CSRF_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
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
