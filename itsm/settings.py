"""All configuration comes from the environment; with nothing set the app runs on SQLite and a
local file broker under var/ (the `make run` default)."""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ITSM_VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default=False):
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


EMAIL_SCHEMES = {  # scheme -> (backend, default port, use_tls, use_ssl)
    "smtp": ("django.core.mail.backends.smtp.EmailBackend", 25, False, False),
    "smtp+tls": ("django.core.mail.backends.smtp.EmailBackend", 587, True, False),  # STARTTLS
    "smtps": ("django.core.mail.backends.smtp.EmailBackend", 465, False, True),  # implicit TLS (RFC 8314)
    "console": ("django.core.mail.backends.console.EmailBackend", None, False, False),
    "locmem": ("django.core.mail.backends.locmem.EmailBackend", None, False, False),
    "dummy": ("django.core.mail.backends.dummy.EmailBackend", None, False, False),
}


def parse_email_url(url):
    """EMAIL_URL -> the EMAIL_* settings, e.g. smtps://user:pass@mail.example.com:465/?timeout=10."""
    parts = urlsplit(url)
    if parts.scheme not in EMAIL_SCHEMES:
        raise ValueError(f"EMAIL_URL: unknown scheme {parts.scheme!r}; use one of {', '.join(EMAIL_SCHEMES)}")
    backend, default_port, use_tls, use_ssl = EMAIL_SCHEMES[parts.scheme]
    query = parse_qs(parts.query)
    return {
        "EMAIL_BACKEND": backend,
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": parts.port or default_port or 25,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_USE_SSL": use_ssl,
        "EMAIL_TIMEOUT": int(query.get("timeout", ["10"])[0]),
    }


def local_secret_key():
    """A random key kept in VAR_DIR/secret_key (created once, owner-only), for a machine without SECRET_KEY."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        import secrets

        VAR_DIR.mkdir(parents=True, exist_ok=True)
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", False)  # DEBUG=1 for development; off by default, with friendly error pages
SECRET_KEY = os.environ.get("SECRET_KEY") or ("dev-only-insecure-key-change-me" if DEBUG else local_secret_key())
# Demo users with a known password (seed_demo) only when asked for: `make run` sets DEMO_DATA=1.
DEMO_DATA = env_bool("DEMO_DATA", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "core",
    "slm",
    "cmdb",
    "incidents",
    "servicerequests",
    "problems",
    "changes",
    "events",
    "improvement",
    "mailchannel",
    "knowledge",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.RequestIdMiddleware",
    "core.middleware.UserTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out login into the lockout page
]

ROOT_URLCONF = "itsm.urls"
WSGI_APPLICATION = "itsm.wsgi.application"

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
                "core.context_processors.roles",
                "core.context_processors.notifications",
                "core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'itsm.sqlite3'}", conn_max_age=int(os.environ.get("CONN_MAX_AGE", 60))
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE",
                                       "init_command": "PRAGMA journal_mode=WAL;"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Login lockout (django-axes) on the site and admin logins: a (username, client address) pair is refused for
# LOGIN_RATE_WINDOW seconds after LOGIN_RATE_LIMIT failures; other users and addresses are not affected.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_RATE_LIMIT", 5))
AXES_COOLOFF_TIME = timedelta(seconds=int(os.environ.get("LOGIN_RATE_WINDOW", 300)))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "core.lockout.client_address"
AXES_LOCKOUT_CALLABLE = "core.lockout.locked_out"
# How many reverse proxies in front of the app append to X-Forwarded-For; 0 (default): the header is ignored.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", 0))

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["CACHE_URL"]}
        if os.environ.get("CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# E-mail: EMAIL_URL (see parse_email_url); with nothing set, mail is written to the console. Tests use locmem.
globals().update(parse_email_url(os.environ.get("EMAIL_URL", "console://")))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "itsm@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The absolute address of this site, for links in e-mails.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
# The right-hand side of the Message-IDs we send (empty: SITE_URL's host); replies are matched by it.
MAIL_MESSAGE_ID_DOMAIN = os.environ.get("MAIL_MESSAGE_ID_DOMAIN", "")

# The e-mail channel (mailchannel): mailboxes from the environment, besides those configured in the UI, as
# imaps://user:pass@host:993/INBOX?kind=incident&team=Service%20Desk&address=desk@example.com (see
# mailchannel/settings_mailboxes.py); with none configured anywhere, nothing polls.
INBOUND_MAIL_URLS = env_list("INBOUND_MAIL_URLS", "")
INBOUND_MAIL_POLL_SECONDS = float(os.environ.get("INBOUND_MAIL_POLL_SECONDS", 60))
# After reading a mailbox, wait this long in IMAP IDLE for new mail (when the server offers IDLE); 0: never.
INBOUND_MAIL_IDLE_SECONDS = float(os.environ.get("INBOUND_MAIL_IDLE_SECONDS", 0))
INBOUND_MAIL_MAX_BYTES = int(os.environ.get("INBOUND_MAIL_MAX_BYTES", 25 * 1024 * 1024))
INBOUND_MAIL_BATCH = int(os.environ.get("INBOUND_MAIL_BATCH", 200))

# Attachments
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))
ATTACHMENT_CONTENT_TYPES = env_list(
    "ATTACHMENT_CONTENT_TYPES",
    "text/plain,text/csv,application/pdf,image/png,image/jpeg,image/gif,application/json,application/zip,"
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,message/rfc822",
)

# Incidents: resolved incidents close automatically after this many days.
INCIDENT_AUTO_CLOSE_DAYS = int(os.environ.get("INCIDENT_AUTO_CLOSE_DAYS", 7))

# Event management: resolve an incident when its last alert clears; correlate alerts within this many seconds.
EVENTS_AUTO_RESOLVE = env_bool("EVENTS_AUTO_RESOLVE", True)
EVENTS_CORRELATION_WINDOW = int(os.environ.get("EVENTS_CORRELATION_WINDOW", 600))
# A webhook with more alerts is refused (413); accepted ones are stored and processed this many alerts a row.
EVENTS_MAX_ALERTS_PER_WEBHOOK = int(os.environ.get("EVENTS_MAX_ALERTS_PER_WEBHOOK", 5000))
EVENTS_ALERTS_PER_EVENT = int(os.environ.get("EVENTS_ALERTS_PER_EVENT", 100))

# Celery: Redis in production and CI, a local file broker with nothing set.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    try:  # any process may queue a task (seed_demo before the stack starts, a shell)
        (_broker_dir / "processed").mkdir(parents=True, exist_ok=True)
    except OSError:
        pass
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# SLA sweep: how often (seconds) warnings and breaches are flagged.
SLA_SWEEP_INTERVAL = float(os.environ.get("SLA_SWEEP_INTERVAL", 30))
CELERY_BEAT_SCHEDULE = {
    "incidents-auto-close": {"task": "incidents.auto_close_resolved", "schedule": 3600.0},
    "events-process-pending": {"task": "events.process_pending", "schedule": 60.0},
    "slm-sweep-sla-timers": {"task": "slm.sweep_sla_timers", "schedule": SLA_SWEEP_INTERVAL},
    "core-deliver-outbox": {"task": "core.deliver_outbox", "schedule": 300.0},
    "problems-review-known-errors": {"task": "problems.review_known_errors", "schedule": 86400.0},
    "problems-trend-analysis": {"task": "problems.run_trend_analysis",
                                "schedule": float(os.environ.get("PROBLEM_TREND_INTERVAL", 6 * 3600))},
    "changes-template-review-flags": {"task": "changes.refresh_template_review_flags", "schedule": 86400.0},
    "improvement-remeasure": {"task": "improvement.remeasure_improvements", "schedule": 3600.0},
    "improvement-run-feeds": {"task": "improvement.run_feeds", "schedule": 86400.0},
    "mailchannel-poll": {"task": "mailchannel.poll_mailboxes", "schedule": INBOUND_MAIL_POLL_SECONDS},
}
# Trend analysis (problems/trends.py): the window read, the smallest cluster, the cosine two texts need to
# be similar, the unique texts compared per CI/service/category, the description characters added to the title,
# and the most incidents POST /api/v1/problem-candidates/run/ analyses within the request (else it queues).
PROBLEM_TREND_WINDOW_DAYS = int(os.environ.get("PROBLEM_TREND_WINDOW_DAYS", 90))
PROBLEM_TREND_MIN_INCIDENTS = int(os.environ.get("PROBLEM_TREND_MIN_INCIDENTS", 3))
PROBLEM_TREND_SIMILARITY = float(os.environ.get("PROBLEM_TREND_SIMILARITY", 0.6))
PROBLEM_TREND_MAX_TEXTS = int(os.environ.get("PROBLEM_TREND_MAX_TEXTS", 1000))
PROBLEM_TREND_DESCRIPTION_CHARS = int(os.environ.get("PROBLEM_TREND_DESCRIPTION_CHARS", 0))
PROBLEM_TREND_SYNC_LIMIT = int(os.environ.get("PROBLEM_TREND_SYNC_LIMIT", 50000))
# Improvement feeds (improvement/feeds.py): over the last FEED_DAYS days, a service with at least BREACHES
# breached SLA timers, or at least COMPLAINTS complaints and surveys rated LOW_RATING or less, gets a proposal.
IMPROVEMENT_FEED_DAYS = int(os.environ.get("IMPROVEMENT_FEED_DAYS", 30))
IMPROVEMENT_FEED_BREACHES = int(os.environ.get("IMPROVEMENT_FEED_BREACHES", 5))
IMPROVEMENT_FEED_COMPLAINTS = int(os.environ.get("IMPROVEMENT_FEED_COMPLAINTS", 3))
IMPROVEMENT_FEED_LOW_RATING = int(os.environ.get("IMPROVEMENT_FEED_LOW_RATING", 2))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.SafeJSONParser", "rest_framework.parsers.FormParser",
                               "rest_framework.parsers.MultiPartParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.TicketCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"login": "10/min"},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ITSM API",
    "DESCRIPTION": "ITIL 4 practices and ISO/IEC 20000-1 service level management.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {"LevelEnum": "core.models.Impact", "LinkKindEnum": "core.models.LinkKind",
                            "ResolutionCodeEnum": "incidents.models.ResolutionCode",
                            "ProblemResolutionCodeEnum": "problems.models.ResolutionCode",
                            "ArticleStateEnum": "knowledge.models.ArticleState",
                            "ChangeTypeEnum": "changes.models.ChangeType",
                            "ChangeTemplateStateEnum": "changes.models.ChangeTemplate.State",
                            "ReleaseStateEnum": "changes.models.Release.State",
                            # one choice set under several names (improvement's stage and transition target, its
                            # metric's name and timer and the SLA target's metric)
                            "ImprovementStageEnum": "improvement.workflow.WORKFLOW.choices",
                            "MetricNameEnum": "improvement.models.MetricName",
                            "MetricEnum": "slm.models.ServiceLevelTarget.Metric",
                            "OutcomeEnum": "changes.models.Outcome",  # a change's outcome, as before mail came
                            "InboundOutcomeEnum": "mailchannel.models.Outcome"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
