"""Settings, read from the environment in one place when the app is created."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from feedback.addresses import networks
from feedback.models.user import Role

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("az", "ru", "en")


def _proxy_networks(value: str) -> tuple:
    """REY_FORWARDED_ALLOW_IPS as gunicorn reads it: addresses or CIDR blocks, or ``*`` for any."""
    if value.strip() == "*":
        return networks("0.0.0.0/0 ::/0", name="REY_FORWARDED_ALLOW_IPS")
    return networks(value, name="REY_FORWARDED_ALLOW_IPS")


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def sqlalchemy_url(url: str) -> str:
    """``url`` with the psycopg 3 driver named for a PostgreSQL URL (others unchanged)."""
    # Heroku-style URLs name the driver "postgres"; SQLAlchemy wants an explicit psycopg 3 driver.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def roles(value: str, *, name: str) -> frozenset[str]:
    """Role names separated by commas or spaces; a typo stops the app at start, naming the variable,
    rather than leave the accounts it meant unprotected."""
    names = frozenset(value.replace(",", " ").split())
    unknown = sorted(names - {r.value for r in Role})
    if unknown:
        raise ValueError(f"{name}: unknown role(s) {', '.join(unknown)}; known: {', '.join(r.value for r in Role)}")
    return names


def whole_number(value: str, *, name: str, low: int, high: int) -> int:
    """A whole number from ``low`` to ``high``; anything else stops the app at start, naming the variable."""
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"{name}: {value!r} is not a whole number") from None
    if not low <= number <= high:
        raise ValueError(f"{name}: {number} is not between {low} and {high}")
    return number


def _database_url(instance_path: str, env: dict) -> str:
    url = env.get("DATABASE_URL", "")
    if not url:
        return f"sqlite:///{Path(instance_path) / 'rey.sqlite3'}"
    return sqlalchemy_url(url)


def _engine_options(url: str, env: dict) -> dict:
    # hide_parameters: a failed statement's message (logged with the error) would otherwise carry
    # its values, a citizen's comment and phone number among them.
    options: dict = {"pool_pre_ping": True, "hide_parameters": True}
    if url.startswith("postgresql"):
        # An unreachable database host (a failover, a dropped route) must fail a new connection
        # within seconds, answered 503 (feedback.errors), not hold a worker for TCP's minutes.
        options["connect_args"] = {"connect_timeout": int(env.get("REY_DB_CONNECT_TIMEOUT", 5))}
    return options


def for_serving(env: dict | None = None) -> dict:
    """Settings for the web server only (feedback.wsgi), not for the command line, whose purges and
    exports may rightly run long: each database statement of a request may take at most
    REY_DB_STATEMENT_TIMEOUT seconds (PostgreSQL), so a request stuck behind a lock gets a 503."""
    env = dict(os.environ if env is None else env)
    return {"DB_STATEMENT_TIMEOUT_SECONDS": float(env.get("REY_DB_STATEMENT_TIMEOUT", 20))}


def from_environment(instance_path: str, env: dict | None = None) -> dict:
    """Build the Flask config mapping from environment variables."""
    env = dict(os.environ if env is None else env)
    secret = env.get("SECRET_KEY") or _instance_secret(instance_path)
    database_url = _database_url(instance_path, env)
    return {
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(database_url, env),
        "MODELS_DIR": env.get("REY_MODELS_DIR", str(PROJECT_ROOT / "models")),
        "LANGUAGES": LANGUAGES,
        "BABEL_DEFAULT_LOCALE": env.get("REY_DEFAULT_LANGUAGE", "az"),
        "BABEL_DEFAULT_TIMEZONE": env.get("REY_TIMEZONE", "Asia/Baku"),
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        # A comment is at most 2,000 characters; a few MB of body is an attack, not feedback.
        "MAX_CONTENT_LENGTH": int(env.get("REY_MAX_BODY_BYTES", 64 * 1024)),
        "COMMENT_MAX_LENGTH": 2000,
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool(env.get("REY_SECURE_COOKIES")),
        "REMEMBER_COOKIE_SECURE": _bool(env.get("REY_SECURE_COOKIES")),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=8),
        # A staff sign-in ends after this long without a request, and this long after signing in
        # (feedback/staff_sessions.py): office computers are shared.
        "STAFF_IDLE_MINUTES": float(env.get("REY_STAFF_IDLE_MINUTES", 30)),
        "STAFF_SESSION_HOURS": float(env.get("REY_STAFF_SESSION_HOURS", 10)),
        # Roles that must sign in with a code from an authenticator app too (feedback/review/two_factor.py).
        "TWO_FACTOR_ROLES": roles(env.get("REY_TWO_FACTOR_ROLES", "admin"), name="REY_TWO_FACTOR_ROLES"),
        "RATELIMIT_STORAGE_URI": env.get("REDIS_URL") or "memory://",
        "RATELIMIT_ENABLED": _bool(env.get("REY_RATELIMIT"), default=True),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Redis down must not stop citizens' feedback: each worker then counts in its own memory
        # (the same limits, per worker) and tries Redis again now and then, and no storage error
        # fails a request. A short timeout keeps an unreachable Redis from holding requests up.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        # Limits per client address, in Flask-Limiter's notation ("10 per minute; 100 per hour").
        "RATELIMIT_SUBMIT": env.get("REY_LIMIT_SUBMIT", "10 per minute; 60 per hour"),
        "RATELIMIT_API": env.get("REY_LIMIT_API", "120 per minute"),
        # Behind a hall's own Wi-Fi (or the tablets' network) every citizen in the hall has the same
        # address, so those networks get a limit sized for a hall rather than for one person.
        "HALL_NETWORKS": networks(env.get("REY_HALL_NETWORKS", ""), name="REY_HALL_NETWORKS"),
        "RATELIMIT_SUBMIT_HALL": env.get("REY_LIMIT_SUBMIT_HALL", "60 per minute; 1000 per hour"),
        "RATELIMIT_LOGIN": env.get("REY_LIMIT_LOGIN", "5 per minute; 30 per hour"),
        # Who may read /metrics (Prometheus); everyone else gets a 404.
        "METRICS_NETWORKS": networks(env.get("REY_METRICS_NETWORKS", "127.0.0.0/8 ::1"), name="REY_METRICS_NETWORKS"),
        # Reverse proxies in front of the app whose X-Forwarded-* headers are trusted (0: none), and
        # the addresses they connect from (gunicorn reads the same variable): a client reaching the
        # app port directly must not name its own address to the rate limits or /metrics.
        "PROXY_COUNT": int(env.get("REY_PROXY_COUNT", 0)),
        "PROXY_NETWORKS": _proxy_networks(env.get("REY_FORWARDED_ALLOW_IPS", "127.0.0.1")),
        # Triage: hours until a flagged case is due, per priority.
        "TRIAGE_DUE_HOURS": {
            "urgent": int(env.get("REY_DUE_HOURS_URGENT", 4)),
            "high": int(env.get("REY_DUE_HOURS_HIGH", 24)),
            "normal": int(env.get("REY_DUE_HOURS_NORMAL", 72)),
        },
        "TRIAGE_LOW_RATING": int(env.get("REY_LOW_RATING", 2)),
        # A comment the model is this sure about is a complaint even beside a high rating.
        "TRIAGE_CONFIDENT_PROBABILITY": float(env.get("REY_CONFIDENT_PROBABILITY", 0.9)),
        # Seconds a worker trusts the model it loaded before it looks whether CURRENT names another
        # (a rollback or promotion made elsewhere): feedback/classifier.py.
        "MODEL_CHECK_SECONDS": float(env.get("REY_MODEL_CHECK_SECONDS", 10)),
        "CONTACT_RETENTION_DAYS": int(env.get("REY_CONTACT_RETENTION_DAYS", 90)),
        # Where `flask db backup` writes, and how long its files are kept: a backup holds contacts
        # and comments as typed, so it must not outlive the data by long (feedback/services/backup.py).
        "BACKUP_DIR": env.get("REY_BACKUP_DIR") or str(Path(instance_path) / "backups"),
        "BACKUP_RETENTION_DAYS": int(env.get("REY_BACKUP_RETENTION_DAYS", 30)),
        # Absolute base for links printed on posters and handed out by the queue system.
        "PUBLIC_BASE_URL": env.get("REY_PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "VISIT_LINK_TTL_HOURS": int(env.get("REY_VISIT_LINK_TTL_HOURS", 72)),
        # Kiosk tablets: back to the start after this much idleness or after the thank-you page.
        "KIOSK_IDLE_SECONDS": float(env.get("REY_KIOSK_IDLE_SECONDS", 20)),
        "KIOSK_THANKS_SECONDS": float(env.get("REY_KIOSK_THANKS_SECONDS", 6)),
        # Abuse guard: the same answer again within this many seconds counts once ...
        "KIOSK_REPEAT_SECONDS": int(env.get("REY_KIOSK_REPEAT_SECONDS", 5)),
        # ... and more than this many ratings from one tablet in a minute are held back.
        "KIOSK_BURST_PER_MINUTE": int(env.get("REY_KIOSK_BURST_PER_MINUTE", 10)),
        "KIOSK_REGISTRATION_MINUTES": int(env.get("REY_KIOSK_REGISTRATION_MINUTES", 30)),
        # Where registered tablets may send from (empty: anywhere). A kiosk's cookie copied off a
        # tablet then rates nothing from outside the halls.
        "KIOSK_NETWORKS": networks(env.get("REY_KIOSK_NETWORKS", ""), name="REY_KIOSK_NETWORKS"),
        # A font covering ə ş ç ğ ı ö ü and Cyrillic for the posters (Debian: fonts-dejavu-core).
        "POSTER_FONT_DIR": env.get("REY_POSTER_FONT_DIR", "/usr/share/fonts/truetype/dejavu"),
        # Staff logins: failures in a row before a lock-out, and its first length in minutes.
        "LOGIN_MAX_FAILURES": int(env.get("REY_LOGIN_MAX_FAILURES", 5)),
        "LOGIN_LOCKOUT_MINUTES": int(env.get("REY_LOGIN_LOCKOUT_MINUTES", 15)),
        # Days a browser that signed in to an account is spared that account's lock-out without
        # signing in again (feedback/services/known_devices.py).
        # 0 turns this off: every browser is then locked out with the account.
        "KNOWN_DEVICE_DAYS": whole_number(env.get("REY_KNOWN_DEVICE_DAYS", "90"), name="REY_KNOWN_DEVICE_DAYS",
                                          low=0, high=3650),
        # argon2.profiles name; empty = RFC_9106_LOW_MEMORY (CHEAPEST under TESTING).
        "PASSWORD_HASH_PROFILE": env.get("REY_PASSWORD_HASH_PROFILE", ""),
        "QUEUE_PAGE_SIZE": int(env.get("REY_QUEUE_PAGE_SIZE", 50)),
        # A center is shown as unhappy right now when at least this share of the ratings of the
        # last minutes are low, once there are enough of them (feedback/services/alerts.py).
        "ALERT_WINDOW_MINUTES": float(env.get("REY_ALERT_WINDOW_MINUTES", 15)),
        "ALERT_MIN_RESPONSES": int(env.get("REY_ALERT_MIN_RESPONSES", 4)),
        "ALERT_UNHAPPY_SHARE": float(env.get("REY_ALERT_UNHAPPY_SHARE", 0.5)),
        # Seconds a process trusts which centers and services it found open (0: read every time).
        "DIRECTORY_CACHE_SECONDS": float(env.get("REY_DIRECTORY_CACHE_SECONDS", 60)),
    }


def _instance_secret(instance_path: str) -> str:
    """Keep a generated secret in the instance folder so sessions survive restarts in development."""
    path = Path(instance_path) / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(32)
        path.write_text(key)
        path.chmod(0o600)
        return key
