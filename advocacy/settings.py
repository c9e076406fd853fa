"""Settings for the advocacy platform: one file, configured by environment variables.

Every variable is listed in README.md and .env.example. In development (DJANGO_DEBUG on, the
default) everything has an embedded default: SQLite and a file-system broker in var/, mail to
the console, the LinkedIn sandbox. With DJANGO_DEBUG=0 the secrets and hosts must be given, and
the process refuses to start naming the first one that is missing or malformed.
"""

import base64
import hashlib
import ipaddress
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = env_str(name)
    if not raw:
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = env_str(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_float(name: str, default: float) -> float:
    raw = env_str(name)
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}") from None


def env_int_between(name: str, default: int, low: int, high: int) -> int:
    value = env_int(name, default)
    if not low <= value <= high:
        raise ImproperlyConfigured(f"{name} must be between {low} and {high}, not {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = env_str(name)
    if not raw:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)


def env_required(name: str, development_default: str) -> str:
    """A value production must set; development falls back to a harmless default."""
    value = env_str(name)
    if value:
        return value
    if DEBUG:
        return development_default
    raise ImproperlyConfigured(f"{name} must be set when DJANGO_DEBUG=0")


VAR_DIR = Path(env_str("VAR_DIR") or BASE_DIR / "var")

SECRET_KEY = env_required(
    "DJANGO_SECRET_KEY", "django-insecure-development-key-never-use-in-production"
)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [])
if not ALLOWED_HOSTS:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG=0")
    ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# Absolute base URL for links that leave the site without a request (mail, tasks).
SITE_URL = env_required("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
if urlsplit(SITE_URL).scheme not in {"http", "https"}:
    raise ImproperlyConfigured(f"SITE_URL must start with http:// or https://, not {SITE_URL!r}")


def _token_encryption_keys() -> list[str]:
    """Fernet keys for LinkedIn tokens at rest, newest first (older ones still decrypt)."""
    development_key = base64.urlsafe_b64encode(hashlib.sha256(SECRET_KEY.encode()).digest())
    keys = env_list("TOKEN_ENCRYPTION_KEYS", [])
    if not keys:
        if not DEBUG:
            raise ImproperlyConfigured("TOKEN_ENCRYPTION_KEYS must be set when DJANGO_DEBUG=0")
        return [development_key.decode()]
    for key in keys:
        try:
            decoded = base64.urlsafe_b64decode(key.encode())
        except ValueError:
            decoded = b""
        if len(decoded) != 32:
            raise ImproperlyConfigured(
                "TOKEN_ENCRYPTION_KEYS must hold comma-separated Fernet keys "
                "(32 url-safe base64-encoded bytes each)"
            )
    return keys


TOKEN_ENCRYPTION_KEYS = _token_encryption_keys()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    # Core apps first, then the product apps in the order they may depend on each other.
    "advocacy.accounts",
    "advocacy.tenancy",
    "advocacy.api",
    "advocacy.linkedin",
    "advocacy.sandbox",
    "campaigns",
    "content",
    "analytics",
    "advocacy.program",
    "advocacy.webhooks",
    "advocacy.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A kept member page goes back to its session before the session is read.
    "advocacy.tenancy.pagecache.KeptPagesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "advocacy.tenancy.middleware.TenantMiddleware",
]

ROOT_URLCONF = "advocacy.urls"
WSGI_APPLICATION = "advocacy.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "advocacy.tenancy.context_processors.navigation",
                "advocacy.linkedin.context_processors.connection_banner",
            ],
        },
    },
]

# Database: PostgreSQL from DATABASE_URL, else SQLite in var/ (WAL, with a busy timeout so the
# web process, the worker and beat can share it in development).
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    try:
        _database = dj_database_url.parse(DATABASE_URL)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
    _postgres = _database["ENGINE"] == "django.db.backends.postgresql"
    if _postgres and not env_bool("DATABASE_JIT", False):
        # PostgreSQL's JIT compiles a query the planner thinks is costly: on the pages' queries
        # (a few thousand rows, correlated subqueries) the compiling took longer than the
        # query itself, 77 of 105 ms on the dashboard (docs/performance.md).
        _database.setdefault("OPTIONS", {})["options"] = "-c jit=off"
    if _postgres and env_bool("DATABASE_POOL", True):
        # Django's own pool for psycopg 3; persistent connections and the pool exclude each other.
        _database["CONN_MAX_AGE"] = 0
        _database.setdefault("OPTIONS", {})["pool"] = {
            "min_size": env_int("DATABASE_POOL_MIN_SIZE", 1),
            "max_size": env_int("DATABASE_POOL_MAX_SIZE", 10),
            "timeout": 10,
        }
    else:
        _database["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)
        _database["CONN_HEALTH_CHECKS"] = True
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    _database = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(VAR_DIR / "db.sqlite3"),
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }
DATABASES = {"default": _database}
if _database["ENGINE"].endswith("sqlite3"):
    # SQLite has no covering indexes: it builds the same index without the INCLUDE columns
    # (Django's own advice for this warning), and PostgreSQL, what deployments run, uses them.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis is broker and cache when REDIS_URL is set; otherwise a broker in var/ that needs no
# server, and a per-process cache.
REDIS_URL = env_str("REDIS_URL")
CACHE_KEY_PREFIX = env_str("CACHE_KEY_PREFIX", "advocacy")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        "global_keyprefix": f"{CACHE_KEY_PREFIX}:",
        "visibility_timeout": 3600,
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    _broker_dir = VAR_DIR / "broker"
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://localhost//"  # the host means nothing; it stops a warning
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # Exchange bindings; kombu's default is ./control, relative to wherever a process started.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
        # Seconds between looks at the folder: quick pick-up, and Ctrl-C stops a worker sooner.
        "polling_interval": 0.2,
    }

CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Celery closes a prefork worker's database connections (and Django's pool with them) before
# and after every task unless told to reuse them: a new PostgreSQL connection for each of
# thousands of collection tasks. It now closes them every this many tasks, and after each task
# advocacy/celery.py hands the connection back as a request's end does (to the pool, or kept
# up to CONN_MAX_AGE; a broken one is dropped). A new worker process still starts afresh.
CELERY_DB_REUSE_MAX = 1000
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Collecting figures from LinkedIn (docs/analytics.md): the UTC hour of the daily follower
# counts, and every how many hours post figures are collected.
ANALYTICS_FOLLOWERS_HOUR = env_int_between("ANALYTICS_FOLLOWERS_HOUR", 22, 0, 23)
ANALYTICS_POST_METRICS_EVERY_HOURS = env_int_between("ANALYTICS_POST_METRICS_EVERY_HOURS", 4, 1, 24)
# Periodic work, kept off minute 0 (everyone's cron fires then).
CELERY_BEAT_SCHEDULE = {
    "linkedin-update-token-statuses": {
        "task": "linkedin.update_token_statuses",
        "schedule": crontab(minute=17),
    },
    # Every 60 seconds from beat's start, so not on the minute everyone else uses.
    "content-publish-due-posts": {
        "task": "content.publish_due_posts",
        "schedule": 60.0,
    },
    "content-forget-visitor-salts": {
        "task": "content.forget_visitor_salts",
        "schedule": crontab(hour=3, minute=41),
    },
    "content-poll-feeds": {
        "task": "content.poll_feeds",
        "schedule": crontab(minute="7,37"),
    },
    # Follower counts once a day, late in the UTC day so that the day's snapshot is close to
    # its end for European organizations; post figures every few hours (docs/analytics.md).
    "analytics-collect-followers": {
        "task": "analytics.collect_followers",
        "schedule": crontab(hour=ANALYTICS_FOLLOWERS_HOUR, minute=47),
    },
    # Clicks and new posts reach the reports within a quarter of an hour.
    "analytics-refresh-recent-rollups": {
        "task": "analytics.refresh_recent_rollups",
        "schedule": crontab(minute="4,19,34,49"),
    },
    "analytics-collect-post-metrics": {
        "task": "analytics.collect_post_metrics",
        "schedule": crontab(hour=f"*/{ANALYTICS_POST_METRICS_EVERY_HOURS}", minute=29),
    },
    # Hourly: each organization's digests and reminders go out at its own local morning.
    "program-dispatch-nudges": {
        "task": "program.dispatch_nudges",
        "schedule": crontab(minute=23),
    },
    "program-open-follow-up-rounds": {
        "task": "program.open_follow_up_rounds",
        "schedule": crontab(hour=4, minute=53),
    },
    # The fortnightly buddy check-in: each pair is due two weeks after its last prompt.
    "program-prompt-buddy-pairs": {
        "task": "program.prompt_buddy_pairs",
        "schedule": crontab(hour=8, minute=23),
    },
    "program-reconcile-brand-risk-flags": {
        "task": "program.reconcile_brand_risk_flags",
        "schedule": crontab(minute="13,43"),
    },
    # Last week's growth report to the webhooks that asked for it, early on Monday (UTC).
    "webhooks-send-weekly-reports": {
        "task": "webhooks.send_weekly_reports",
        "schedule": crontab(day_of_week=1, hour=5, minute=23),
    },
    # Deliveries whose task was lost are queued again; the log keeps 30 days.
    "webhooks-requeue-stalled-deliveries": {
        "task": "webhooks.requeue_stalled_deliveries",
        "schedule": crontab(minute="13,28,43,58"),
    },
    "webhooks-forget-old-deliveries": {
        "task": "webhooks.forget_old_deliveries",
        "schedule": crontab(hour=4, minute=11),
    },
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "advocacy.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "advocacy.accounts.forms.SignupForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
if ACCOUNT_EMAIL_VERIFICATION not in {"mandatory", "optional", "none"}:
    raise ImproperlyConfigured("ACCOUNT_EMAIL_VERIFICATION must be mandatory, optional or none")
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Advocacy] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = urlsplit(SITE_URL).scheme
ACCOUNT_ALLOW_SIGNUPS = env_bool("ACCOUNT_ALLOW_SIGNUPS", True)

# An invitation link stays valid this long.
INVITATION_MAX_AGE_DAYS = env_int("INVITATION_MAX_AGE_DAYS", 14)

# The program opens a new follow-up round when the last one opened this many days ago.
PROGRAM_FOLLOW_UP_EVERY_DAYS = env_int("PROGRAM_FOLLOW_UP_EVERY_DAYS", 30)
if PROGRAM_FOLLOW_UP_EVERY_DAYS < 1:
    raise ImproperlyConfigured(
        f"PROGRAM_FOLLOW_UP_EVERY_DAYS must be 1 or more, not {PROGRAM_FOLLOW_UP_EVERY_DAYS}"
    )

# LinkedIn. Development and tests talk to the sandbox, served by this same process under
# LINKEDIN_SANDBOX_PREFIX; production talks to LinkedIn and refuses the sandbox unless
# LINKEDIN_ALLOW_SANDBOX says so (a demo installation, say).
LINKEDIN_SANDBOX = env_bool("LINKEDIN_SANDBOX", DEBUG)
LINKEDIN_SANDBOX_PREFIX = env_str("LINKEDIN_SANDBOX_PREFIX", "sandbox/linkedin").strip("/")
_linkedin_sandbox_url = f"{SITE_URL}/{LINKEDIN_SANDBOX_PREFIX}"
# The host of the browser pages and OAuth endpoints, and the host of the REST API.
LINKEDIN_WWW_URL = env_str(
    "LINKEDIN_WWW_URL", _linkedin_sandbox_url if LINKEDIN_SANDBOX else "https://www.linkedin.com"
).rstrip("/")
LINKEDIN_API_URL = env_str(
    "LINKEDIN_API_URL", _linkedin_sandbox_url if LINKEDIN_SANDBOX else "https://api.linkedin.com"
).rstrip("/")
if not DEBUG and not env_bool("LINKEDIN_ALLOW_SANDBOX", False):
    if LINKEDIN_SANDBOX:
        raise ImproperlyConfigured(
            "LINKEDIN_SANDBOX is on with DJANGO_DEBUG=0; set LINKEDIN_ALLOW_SANDBOX=1 to mean it"
        )
    for _name, _url in (
        ("LINKEDIN_WWW_URL", LINKEDIN_WWW_URL),
        ("LINKEDIN_API_URL", LINKEDIN_API_URL),
    ):
        if f"/{LINKEDIN_SANDBOX_PREFIX}" in _url:
            raise ImproperlyConfigured(
                f"{_name} points at the sandbox with DJANGO_DEBUG=0; "
                "set LINKEDIN_ALLOW_SANDBOX=1 to mean it"
            )
LINKEDIN_CLIENT_ID = env_str("LINKEDIN_CLIENT_ID", "sandbox-client" if LINKEDIN_SANDBOX else "")
LINKEDIN_CLIENT_SECRET = env_str(
    "LINKEDIN_CLIENT_SECRET", "sandbox-client-secret" if LINKEDIN_SANDBOX else ""
)
# The Rest.li API version sent as LinkedIn-Version (YYYYMM); bump it deliberately.
LINKEDIN_VERSION = env_str("LINKEDIN_VERSION", "202609")
# What an employee's connection asks for; the analytics scopes need LinkedIn's approval
# (Community Management API), and without them publishing still works.
LINKEDIN_MEMBER_SCOPES = env_list(
    "LINKEDIN_MEMBER_SCOPES",
    [
        "openid",
        "profile",
        "email",
        "w_member_social",
        "r_member_postAnalytics",
        "r_member_profileAnalytics",
    ],
)
# What connecting the company page asks for (a page administrator signs in).
LINKEDIN_PAGE_SCOPES = env_list(
    "LINKEDIN_PAGE_SCOPES", ["openid", "profile", "rw_organization_admin", "r_organization_social"]
)
LINKEDIN_TIMEOUT_SECONDS = env_int("LINKEDIN_TIMEOUT_SECONDS", 10)
# Daily call budgets per endpoint (LinkedIn publishes none; read yours in the Developer
# Portal): for the whole application, and for each member's token. Reset at 00:00 UTC.
LINKEDIN_APP_DAILY_QUOTA = env_int("LINKEDIN_APP_DAILY_QUOTA", 100_000)
LINKEDIN_MEMBER_DAILY_QUOTA = env_int("LINKEDIN_MEMBER_DAILY_QUOTA", 500)
# Retries of transient failures (429, 5xx, no answer): attempts in all, and the backoff's
# first and longest step (with full jitter). A longer Retry-After goes back to the caller.
LINKEDIN_RETRY_ATTEMPTS = env_int("LINKEDIN_RETRY_ATTEMPTS", 3)
LINKEDIN_RETRY_BASE_SECONDS = env_float("LINKEDIN_RETRY_BASE_SECONDS", 1.0)
LINKEDIN_RETRY_MAX_SECONDS = env_float("LINKEDIN_RETRY_MAX_SECONDS", 15.0)
# LinkedIn sometimes calls a brand-new token revoked (65601); one retry after this pause.
LINKEDIN_REVOKED_RETRY_SECONDS = env_float("LINKEDIN_REVOKED_RETRY_SECONDS", 5.0)
# How long one call may wait for the daily budget; how far ahead of an even pace calls may
# run; how many 429s pause an endpoint until 00:00 UTC.
LINKEDIN_QUOTA_MAX_WAIT_SECONDS = env_float("LINKEDIN_QUOTA_MAX_WAIT_SECONDS", 15.0)
LINKEDIN_RATE_LIMIT_AHEAD_SECONDS = env_int("LINKEDIN_RATE_LIMIT_AHEAD_SECONDS", 3600)
LINKEDIN_RATE_LIMIT_PAUSE_AFTER = env_int("LINKEDIN_RATE_LIMIT_PAUSE_AFTER", 3)

# Posts one publishing task sends side by side (different members' posts; a member's own go
# one after the other), on PostgreSQL. Each takes a database connection of its own, so with
# Django's pool it stays below DATABASE_POOL_MAX_SIZE.
PUBLISH_THREADS = env_int_between("PUBLISH_THREADS", 4, 1, 32)
_pool = DATABASES["default"].get("OPTIONS", {}).get("pool")
if isinstance(_pool, dict) and int(_pool["max_size"]) <= PUBLISH_THREADS:
    raise ImproperlyConfigured(
        f"PUBLISH_THREADS ({PUBLISH_THREADS}) must be below DATABASE_POOL_MAX_SIZE "
        f"({_pool['max_size']}): each thread holds a connection of the pool."
    )

# Seconds a member's rendered dashboard, my posts and content library are kept
# (advocacy/tenancy/pagecache.py): what people and workers change drops them at once, this
# bounds what nothing announces (figures collected in bulk, clicks, colleagues' shares). Only
# with a cache the processes share (Redis); 0 turns it off.
PAGE_CACHE_SECONDS = env_int_between("PAGE_CACHE_SECONDS", 60 if REDIS_URL else 0, 0, 3600)
if PAGE_CACHE_SECONDS and not REDIS_URL:
    raise ImproperlyConfigured(
        "PAGE_CACHE_SECONDS needs REDIS_URL: without it each process has a cache of its own, "
        "and one could not drop the pages another keeps."
    )

# Which posts' figures are collected: those younger than ANALYTICS_POST_FRESH_DAYS on every
# run; those up to ANALYTICS_POST_MAX_AGE_DAYS old when last collected at least
# ANALYTICS_POST_RECOLLECT_HOURS ago; older ones not at all (their figures have settled).
ANALYTICS_POST_FRESH_DAYS = env_int_between("ANALYTICS_POST_FRESH_DAYS", 7, 1, 365)
ANALYTICS_POST_MAX_AGE_DAYS = env_int_between("ANALYTICS_POST_MAX_AGE_DAYS", 90, 1, 3650)
ANALYTICS_POST_RECOLLECT_HOURS = env_int_between("ANALYTICS_POST_RECOLLECT_HOURS", 20, 1, 24 * 30)
# The workers recompute the rollups of the days a collection touched this many seconds after
# the first of them, once for every member collected meanwhile (0: after each member).
ANALYTICS_ROLLUP_DELAY_SECONDS = env_int_between("ANALYTICS_ROLLUP_DELAY_SECONDS", 30, 0, 3600)
# How far back history is filled from LinkedIn's date-range endpoints (reported: 12 months).
ANALYTICS_BACKFILL_DAYS = env_int_between("ANALYTICS_BACKFILL_DAYS", 365, 1, 3650)
# The daily follower collection goes ANALYTICS_COLLECT_BATCH participants a task, each task
# asking LinkedIn for up to ANALYTICS_COLLECT_THREADS of them side by side (PostgreSQL; each
# thread holds a connection of Django's pool, so it stays below DATABASE_POOL_MAX_SIZE).
ANALYTICS_COLLECT_BATCH = env_int_between("ANALYTICS_COLLECT_BATCH", 50, 1, 1000)
ANALYTICS_COLLECT_THREADS = env_int_between("ANALYTICS_COLLECT_THREADS", 4, 1, 32)
if isinstance(_pool, dict) and int(_pool["max_size"]) <= ANALYTICS_COLLECT_THREADS:
    raise ImproperlyConfigured(
        f"ANALYTICS_COLLECT_THREADS ({ANALYTICS_COLLECT_THREADS}) must be below "
        f"DATABASE_POOL_MAX_SIZE ({_pool['max_size']}): each thread holds a connection of the pool."
    )
# Whether memberFollowersCount?q=dateRange answers each day's gain or its total: unconfirmed
# (linkedin-api.md 6.2; observed zeros suggest gains, and the sandbox answers gains).
LINKEDIN_MEMBER_FOLLOWERS_BY_DAY = env_str("LINKEDIN_MEMBER_FOLLOWERS_BY_DAY", "gains")
if LINKEDIN_MEMBER_FOLLOWERS_BY_DAY not in {"gains", "totals"}:
    raise ImproperlyConfigured("LINKEDIN_MEMBER_FOLLOWERS_BY_DAY must be gains or totals")

# Link previews and feeds fetch other sites' pages, and only from public addresses
# (content/fetching.py). Networks listed here may be fetched although they are private: an
# intranet blog's feed, say. Comma-separated, e.g. 10.20.0.0/16,fd12::/64.
FETCH_ALLOWED_NETWORKS = env_list("FETCH_ALLOWED_NETWORKS", [])
for _network in FETCH_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"FETCH_ALLOWED_NETWORKS must list networks such as 10.20.0.0/16, not {_network!r}"
        ) from None

SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": False,
        "APPS": [
            {
                "provider_id": "linkedin",
                "name": "LinkedIn",
                "client_id": LINKEDIN_CLIENT_ID,
                "secret": LINKEDIN_CLIENT_SECRET,
                "settings": {
                    "server_url": f"{LINKEDIN_WWW_URL}/oauth",
                    "token_auth_method": "client_secret_post",
                    "scope": ["openid", "profile", "email"],
                },
            }
        ]
        if LINKEDIN_CLIENT_ID
        else [],
    }
}

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Advocacy <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("da", "Dansk")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
FORMAT_MODULE_PATH = ["advocacy.formats"]
# Stored in UTC; shown in the organization's time zone (the tenancy middleware activates it).
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")
# The web process serves MEDIA_URL itself unless the proxy in front does (then set it to 0).
SERVE_MEDIA = env_bool("DJANGO_SERVE_MEDIA", True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Behind the TLS-terminating proxy (production): its X-Forwarded-Proto and the last hop of
# X-Forwarded-For (a tracked link's visitor) are trusted.
BEHIND_PROXY = not DEBUG and env_bool("DJANGO_BEHIND_PROXY", True)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
    if BEHIND_PROXY:
        # The TLS-terminating proxy in front of gunicorn sets this header.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


def env_rate(name: str, default: str) -> str:
    """A request rate as "<count>/<second|minute|hour|day>" (DRF's throttle format)."""
    value = env_str(name, default)
    if not re.fullmatch(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", value):
        raise ImproperlyConfigured(f"{name} must look like 600/hour or 10/minute, not {value!r}")
    return value


# The REST API (docs/api.md). Requests are counted per personal API token and per user, in
# the cache (Redis in production, so every web process shares the count).
API_THROTTLE_RATES = {
    "api_token": env_rate("API_TOKEN_RATE", "1200/hour"),
    "api_user": env_rate("API_USER_RATE", "3000/hour"),
}
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "advocacy.api.schema.ApiAutoSchema",
    # The bearer token first: its WWW-Authenticate makes a missing credential a 401.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "advocacy.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": [
        "advocacy.api.throttling.TokenRateThrottle",
        "advocacy.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_METADATA_CLASS": None,
    "EXCEPTION_HANDLER": "advocacy.api.tenancy.error_envelope",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Advocacy API",
    "DESCRIPTION": (
        "The employee advocacy platform's REST API, version 1. Authenticate with a personal "
        "API token (`Authorization: Bearer <token>`, made on your profile page); every token "
        "acts for one organization with its member's role. Errors come as "
        '`{"error": {"code", "message", "fields"}}`. See docs/api.md.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ContentItemStatusEnum": "content.models.ContentItem.Status",
        "PostStatusEnum": "content.models.Post.Status",
        "CampaignStatusEnum": "campaigns.models.Campaign.Status",
        "LanguageEnum": "advocacy.settings.LANGUAGES",
    },
    # The documentation page's assets are served from this installation, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No validator badge: it would load an image from swagger.io.
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None, "deepLinking": True},
}

# Webhooks (docs/api.md): how long a receiver may take, how many tries a delivery gets, and
# after how many failed tries in a row an endpoint is switched off (its admins are mailed).
WEBHOOK_TIMEOUT_SECONDS = env_int_between("WEBHOOK_TIMEOUT_SECONDS", 10, 1, 30)
WEBHOOK_MAX_ATTEMPTS = env_int_between("WEBHOOK_MAX_ATTEMPTS", 8, 1, 20)
WEBHOOK_DISABLE_AFTER_FAILURES = env_int_between("WEBHOOK_DISABLE_AFTER_FAILURES", 15, 1, 1000)

LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
