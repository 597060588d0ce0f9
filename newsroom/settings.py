"""Newsroom settings: one module, read from the environment.

It fails closed: debug is off unless ``DJANGO_DEBUG=true`` says otherwise, and with debug
off ``DJANGO_SECRET_KEY`` must be set. A laptop (``make demo``, ``make test``) says
``DJANGO_DEBUG=true`` and gets SQLite, a local-memory cache and in-process Celery
tasks; production sets ``DJANGO_SECRET_KEY``, ``DJANGO_ALLOWED_HOSTS``,
``DATABASE_URL`` and ``REDIS_URL``.
"""

from __future__ import annotations

import json
import os
import resource
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from newsroom import oembed

# Lets Django's generic classes be subscripted at runtime (``admin.ModelAdmin[Post]``),
# as the type checker (mypy with django-stubs) wants them.
django_stubs_ext.monkeypatch()


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent.parent

# Off unless asked for: a deployment that forgets the variable serves no debug pages.
DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off (production). On a "
            "laptop, `make demo` and `make test` set DJANGO_DEBUG=true for you."
        )
    SECRET_KEY = "django-insecure-newsroom-development-key-never-use-in-production"
# A key copied from an example (docs/deploy/newsroom.env) is no secret: refuse to start.
PLACEHOLDER_SECRET_KEYS = {"change-me-to-a-long-random-string", "change-me", "changeme",
                           "secret", "django-insecure-change-me"}  # fmt: skip
if not DEBUG and (
    SECRET_KEY.lower() in PLACEHOLDER_SECRET_KEYS
    or SECRET_KEY.lower().startswith("change-me")
    or len(SECRET_KEY) < 32
):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is a placeholder or too short (under 32 characters): set a long "
        "random one, e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'."
    )
# Error pages and reports mask secrets and every URL-shaped setting (DATABASE_URL…).
DEFAULT_EXCEPTION_REPORTER_FILTER = "newsroom.reporting.NewsroomReporterFilter"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "rest_framework",
    "rest_framework_api_key",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_prose_editor",
    "axes",
    "newsroom.staff",
    "newsroom.web",
    "partners",
    "liveblog",
    "results",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "newsroom.middleware.DisplayTimeZoneMiddleware",
    "newsroom.middleware.PermissionsPolicyMiddleware",
    # Last, so that it sees the outcome of authentication (django-axes' requirement).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"
ASGI_APPLICATION = "newsroom.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
            "builtins": ["newsroom.template_filters"],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
# Persistent connections for WSGI workers (a thread serves request after request). An
# ASGI process runs each request's sync code in a thread of its own: a kept connection is
# never reused there and stays open until PostgreSQL runs out, so the ASGI entry points
# set this to 0 (docs/deployment.md).
DB_CONN_MAX_AGE = int(os.environ.get("NEWSROOM_DB_CONN_MAX_AGE", "60"))
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=DB_CONN_MAX_AGE, conn_health_checks=True
    )
    if DATABASE_URL
    else {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
        # Writers wait for the lock instead of failing at once.
        "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, Redis, Celery -------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
# Redis must never hang a web request: fail fast and let callers degrade. The broker's
# timeout (Celery) is longer than the cache's: a worker waits, a reader never does.
REDIS_SOCKET_TIMEOUT = float(os.environ.get("REDIS_SOCKET_TIMEOUT", "2"))
REDIS_CACHE_TIMEOUT = float(os.environ.get("REDIS_CACHE_TIMEOUT", "0.3"))
# After Redis fails or hangs, every use of it in a process (cache, live channel,
# presence, throttles) leaves it alone this long, then one caller tries it again
# (newsroom/breaker.py).
NEWSROOM_BREAKER_PAUSE = float(os.environ.get("NEWSROOM_BREAKER_PAUSE", "5"))


def redis_caches(url: str) -> dict[str, dict[str, Any]]:
    """The cache configuration for a Redis at ``url`` (also used by the fault tests)."""
    return {
        "default": {
            "BACKEND": "newsroom.cache.RedisCache",  # Django's, behind the breaker
            "LOCATION": url,
            "KEY_PREFIX": "newsroom",
            "OPTIONS": {
                "socket_connect_timeout": REDIS_CACHE_TIMEOUT,
                "socket_timeout": REDIS_CACHE_TIMEOUT,
            },
        }
    }


if REDIS_URL:
    CACHES = redis_caches(REDIS_URL)
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# In-process tasks name a host for the memory transport, or kombu warns on every task.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
# Without a broker the tasks run in-process, right after the transaction commits.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
# Without a broker, webhook deliveries go from a thread of the web process, not inline:
# a publish never waits for a partner's server (partners/tasks.py).
NEWSROOM_WEBHOOKS_IN_BACKGROUND = CELERY_TASK_ALWAYS_EAGER
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing a task to a dead broker gives up after about a second (celery #4296).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.4,
}
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_SOCKET_TIMEOUT
# ETA tasks are only ever a minute ahead (liveblog.tasks), far below this.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
    "socket_timeout": REDIS_SOCKET_TIMEOUT,
    "visibility_timeout": 3600,
    # Publishing a task must not wait long for a dead broker.
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    # Scheduled posts are visible by query at their time. A timer task per post, queued
    # at most a minute ahead (by the schedule, or by the sweeper as the time nears),
    # announces each at its second; the sweeper also announces any whose timer was lost
    # (worker or Redis down), so each is announced exactly once.
    "publish-due-posts": {
        "task": "liveblog.tasks.publish_due_posts",
        # Without a broker there are no timers: the embedded beat sweeps every second.
        "schedule": 5.0 if REDIS_URL else 1.0,
        "options": {"expires": 5},
    },
    "make-missing-renditions": {
        "task": "liveblog.tasks.make_missing_renditions",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "worker-heartbeat": {
        "task": "newsroom.celery.heartbeat",
        "schedule": 10.0,
        "options": {"expires": 10},
    },
    # Webhook deliveries whose task was lost (worker or Redis down), and old replays.
    "retry-stalled-webhook-deliveries": {
        "task": "partners.tasks.retry_stalled_deliveries",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "purge-idempotency-records": {
        "task": "newsroom.web.tasks.purge_idempotency_records",
        "schedule": 3600.0,
    },
    # The results feed (AP Elections API v3 or v2), when NEWSROOM_RESULTS_FEED_URL is set.
    "poll-results-feed": {
        "task": "results.tasks.poll_results_feed",
        "schedule": float(os.environ.get("NEWSROOM_RESULTS_FEED_SECONDS", "30")),
        "options": {"expires": 25},  # no pile of stale polls while workers are down
    },
}
NEWSROOM_RESULTS_FEED_URL = os.environ.get("NEWSROOM_RESULTS_FEED_URL", "")
NEWSROOM_RESULTS_FEED_API_KEY = os.environ.get("NEWSROOM_RESULTS_FEED_API_KEY", "")
# Every document the poller fetches is kept on record (compressed, a repeat without a
# second copy) this many days; 0 keeps nothing (results/recording.py, manage.py recordings).
NEWSROOM_RESULTS_RECORD_DAYS = int(os.environ.get("NEWSROOM_RESULTS_RECORD_DAYS", "30"))
# The operations view and /metrics call the feed stale when it has not answered for this
# long (a poll every NEWSROOM_RESULTS_FEED_SECONDS).
NEWSROOM_RESULTS_FEED_STALE_SECONDS = float(
    os.environ.get("NEWSROOM_RESULTS_FEED_STALE_SECONDS", "120")
)

# --- Auth and security ----------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Lock a login out after repeated failures of one user from one address.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
# Per account *and* address: failures from an attacker's address lock that address out
# of the account, never the editor at their own. Behind a proxy the address is the real
# client's (newsroom.proxies), which needs NEWSROOM_TRUSTED_PROXIES.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "newsroom.proxies.client_ip"
# The proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated):
# nginx on the same host is "127.0.0.1,::1". Empty: the header is ignored.
NEWSROOM_TRUSTED_PROXIES = env_list("NEWSROOM_TRUSTED_PROXIES")

SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
# Powerful browser features nobody's page needs (newsroom.middleware).
NEWSROOM_PERMISSIONS_POLICY = os.environ.get(
    "NEWSROOM_PERMISSIONS_POLICY",
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), browsing-topics=(), interest-cohort=()",
)
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # The header alone enrols nothing: a site owner still has to submit the domain.
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)

# Live channel: how often each server process checks the database for changes it was not
# told about (doubled by 5 while Redis pub/sub is healthy), and the keep-alive interval.
# How committed changes reach open pages (liveblog.live.transports): the built-in hub.
NEWSROOM_PUSH_BACKEND = os.environ.get(
    "NEWSROOM_PUSH_BACKEND", "liveblog.live.transports.HubTransport"
)
# With "liveblog.edge.grip.GripTransport", an edge engine holds the readers' connections
# (docs/deployment.md, "Readers through an edge engine"): each engine's publish endpoint
# as a GRIP URL, comma-separated (every engine gets every change: several Pushpin
# instances, or Fastly Fanout's https://api.fastly.com/service/<id>?key=...&verify-iss=...
# &verify-key=...); the key Pushpin signs its requests with (its sig_key), so that only
# requests through an engine are held; how often an engine asks the origin again for
# what its readers may have missed; each publish call's time limit; a channel prefix
# when several sites share an engine.
NEWSROOM_GRIP_URLS = env_list("NEWSROOM_GRIP_URLS")
# /metrics (Prometheus): the bearer token a scraper sends, and/or the networks it may come
# from (CIDRs, e.g. 10.0.0.0/8); with neither, nobody may read it (newsroom/metrics.py).
NEWSROOM_METRICS_TOKEN = os.environ.get("NEWSROOM_METRICS_TOKEN", "")
NEWSROOM_METRICS_NETWORKS = env_list("NEWSROOM_METRICS_NETWORKS")
NEWSROOM_GRIP_VERIFY_KEY = os.environ.get("NEWSROOM_GRIP_VERIFY_KEY", "")
NEWSROOM_GRIP_RECOVER_SECONDS = int(os.environ.get("NEWSROOM_GRIP_RECOVER_SECONDS", "60"))
# Desks through an engine: how often it asks the origin again, which checks the account
# each time (a turned-off account's desk closes) and renews who is on the desk (< 40 s).
NEWSROOM_GRIP_DESK_RECHECK_SECONDS = int(os.environ.get("NEWSROOM_GRIP_DESK_RECHECK_SECONDS", "15"))
NEWSROOM_GRIP_TIMEOUT = float(os.environ.get("NEWSROOM_GRIP_TIMEOUT", "2"))
NEWSROOM_GRIP_PREFIX = os.environ.get("NEWSROOM_GRIP_PREFIX", "")
NEWSROOM_LIVE_POLL_SECONDS = float(os.environ.get("NEWSROOM_LIVE_POLL_SECONDS", "1"))
NEWSROOM_LIVE_HEARTBEAT = float(os.environ.get("NEWSROOM_LIVE_HEARTBEAT", "15"))
# Limits for the crowd (liveblog.live.stream.Admission): readers per stream process, kept
# below its file-descriptor limit, and streams per client address; past them a reader is
# refused (503/429 with Retry-After) and its page polls instead.
NEWSROOM_STREAM_MAX_READERS = int(
    os.environ.get(
        "NEWSROOM_STREAM_MAX_READERS",
        str(max(100, resource.getrlimit(resource.RLIMIT_NOFILE)[0] - 512)),
    )
)
NEWSROOM_STREAM_MAX_PER_CLIENT = int(os.environ.get("NEWSROOM_STREAM_MAX_PER_CLIENT", "64"))
# How long a process may answer "nothing changed" (poll 304, stream connect) from memory of
# a blog's position before asking the database again (liveblog/live/positions.py).
NEWSROOM_LIVE_STATE_TTL = float(os.environ.get("NEWSROOM_LIVE_STATE_TTL", "0.5"))
# The live desk's staff channel: how often each open desk looks at the staff log for
# changes made by other processes (its own process's changes arrive at once).
NEWSROOM_DESK_POLL_SECONDS = float(os.environ.get("NEWSROOM_DESK_POLL_SECONDS", "1"))
# Open desks (staff channels) per browser session, per account and per stream process:
# a few tabs each, and a newsroom's staff many times over (liveblog/desk/channel.py).
NEWSROOM_DESK_MAX_PER_SESSION = int(os.environ.get("NEWSROOM_DESK_MAX_PER_SESSION", "4"))
NEWSROOM_DESK_MAX_PER_USER = int(os.environ.get("NEWSROOM_DESK_MAX_PER_USER", "8"))
NEWSROOM_DESK_MAX_STREAMS = int(os.environ.get("NEWSROOM_DESK_MAX_STREAMS", "500"))
# Namespace of the live channel's Redis keys and pub/sub channel (sites may share Redis).
NEWSROOM_REDIS_PREFIX = os.environ.get("NEWSROOM_REDIS_PREFIX", "newsroom")
# Suggested polling interval for readers on the fallback (seconds; hidden tabs x4).
NEWSROOM_POLL_INTERVAL = int(os.environ.get("NEWSROOM_POLL_INTERVAL", "5"))

# Hosts whose players may be embedded in posts (video by URL).
NEWSROOM_VIDEO_EMBED_HOSTS = env_list(
    "NEWSROOM_VIDEO_EMBED_HOSTS",
    "www.youtube-nocookie.com,www.youtube.com,youtu.be,player.vimeo.com,vimeo.com",
)

# Embeds from a pasted link (newsroom/oembed.py, docs/embeds.md): the providers are
# Newsroom's list (X, Bluesky, Threads, Mastodon, Instagram, Facebook, TikTok, YouTube,
# Vimeo, SoundCloud, Spotify, Datawrapper, Flourish); a newsroom adds its own as JSON in
# NEWSROOM_EMBED_EXTRA_PROVIDERS (the same keys as newsroom.oembed.DEFAULT_PROVIDERS).
# Each link is read once, when its post is saved, within NEWSROOM_EMBED_TIMEOUT seconds.
NEWSROOM_EMBED_PROVIDERS: list[dict[str, Any]] = (
    json.loads(os.environ["NEWSROOM_EMBED_PROVIDERS"])  # replaces the list (the tests' fakes)
    if os.environ.get("NEWSROOM_EMBED_PROVIDERS")
    else oembed.DEFAULT_PROVIDERS
)
NEWSROOM_EMBED_EXTRA_PROVIDERS: list[dict[str, Any]] = json.loads(
    os.environ.get("NEWSROOM_EMBED_EXTRA_PROVIDERS", "[]")
)
NEWSROOM_EMBED_TIMEOUT = float(os.environ.get("NEWSROOM_EMBED_TIMEOUT", "4"))
# Instagram's and Facebook's oEmbed need a Meta app token ("app-id|client-token"); without
# one their links show as a card with the player, without the post's words.
NEWSROOM_META_OEMBED_TOKEN = os.environ.get("NEWSROOM_META_OEMBED_TOKEN", "")
# Calls out on a reporter's behalf (newsroom/outbound.py) reach only global addresses
# over https; networks listed here may be reached, over http too (a newsroom's own
# oEmbed proxy; the tests' fake providers on loopback). Empty in production.
NEWSROOM_OUTBOUND_TRUSTED_NETWORKS = env_list("NEWSROOM_OUTBOUND_TRUSTED_NETWORKS", "")
# Mastodon is on many hosts: the instances whose players pages may frame (a post from
# another instance shows as a card with its words and link, without the player).
NEWSROOM_MASTODON_INSTANCES = env_list(
    "NEWSROOM_MASTODON_INSTANCES",
    "https://mastodon.social,https://mastodon.online,https://mstdn.social,"
    "https://journa.host,https://newsie.social",
)
# The players pages may frame (CSP frame-src): the video players, every provider's fixed
# origins and the Mastodon instances above.
EMBED_FRAME_ORIGINS = sorted(
    {"https://www.youtube-nocookie.com", "https://player.vimeo.com",
     *NEWSROOM_MASTODON_INSTANCES}
    | {origin for entry in [*NEWSROOM_EMBED_PROVIDERS, *NEWSROOM_EMBED_EXTRA_PROVIDERS]
       for origin in entry.get("frame_origins", ()) if "{" not in origin}
)  # fmt: skip

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        # The admin sets a few inline style attributes; scripts stay strict.
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:"],
        "media-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": EMBED_FRAME_ORIGINS,
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Internationalisation and time ------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"  # storage and server logs; readers see NEWSROOM_DISPLAY_TIME_ZONE
USE_I18N = True
USE_TZ = True
# The newsroom's display time zone: the reference page shows GMT (Europe/London in winter).
NEWSROOM_DISPLAY_TIME_ZONE = os.environ.get("NEWSROOM_DISPLAY_TIME_ZONE", "Europe/London")

# --- Static and media -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded media: server-chosen unguessable names, served with nosniff and a sandboxing
# CSP (newsroom/media.py). Django decides who may fetch a file (liveblog.views.media);
# behind nginx it answers with X-Accel-Redirect to NEWSROOM_MEDIA_ACCEL_PREFIX, an
# internal location, and nginx sends the bytes (docs/deployment.md). NEWSROOM_MEDIA_URL
# may name another, cookieless origin that proxies to /media/ here (docs/operations.md).
MEDIA_URL = os.environ.get("NEWSROOM_MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", str(BASE_DIR / "media")))
NEWSROOM_MEDIA_ACCEL_PREFIX = os.environ.get("NEWSROOM_MEDIA_ACCEL_PREFIX", "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# In development and the demo, WhiteNoise serves straight from the app folders.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
# Uploads above this stay on disk instead of memory while they are checked.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 15 * 1024 * 1024
# Video files (admin uploads). The shipped nginx lets /admin/ bodies this large through
# and every other request 16 MB (docs/deploy/nginx.conf; a test keeps them in step).
NEWSROOM_VIDEO_MAX_BYTES = int(os.environ.get("NEWSROOM_VIDEO_MAX_BYTES", str(200 * 1024 * 1024)))

# Image uploads: checked by content, re-encoded without metadata.
NEWSROOM_IMAGE_MAX_BYTES = int(os.environ.get("NEWSROOM_IMAGE_MAX_BYTES", str(15 * 1024 * 1024)))
# Decoding is bounded in memory (newsroom/images.py): JPEGs decode at a reduced scale, so
# camera originals up to 80 MP pass; PNG and WebP decode whole, so they stop at 16.8 MP.
# Stored photos (and so every rendition made from them) are at most MAX_EDGE on a side.
NEWSROOM_IMAGE_MAX_PIXELS = int(os.environ.get("NEWSROOM_IMAGE_MAX_PIXELS", str(80_000_000)))
NEWSROOM_IMAGE_MAX_PIXELS_LOSSLESS = int(
    os.environ.get("NEWSROOM_IMAGE_MAX_PIXELS_LOSSLESS", str(4096 * 4096))
)
NEWSROOM_IMAGE_MAX_EDGE = int(os.environ.get("NEWSROOM_IMAGE_MAX_EDGE", "4096"))

# --- REST framework: the partner API (docs/partners.md) ------------------------------
REST_FRAMEWORK = {
    # Keys first: their scheme answers 401 (with WWW-Authenticate) to anonymous calls.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "partners.auth.PartnerKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["partners.permissions.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["partners.throttles.CallerRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "newsroom.web.errors.exception_handler",
    "DEFAULT_VERSIONING_CLASS": None,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "URL_FORMAT_OVERRIDE": None,  # JSON only: ?format= is refused like any unknown parameter
    "STRICT_JSON": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Newsroom partner API",
    "DESCRIPTION": (
        "Live blogs, their change feed and election results for partners; the editorial "
        "workflow for newsroom staff. Guide: docs/partners.md. Authenticate with "
        "`Authorization: Api-Key <key>`."
    ),
    "VERSION": "1.0.0",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "newsroom.web.schema.plain_version",  # "1.0.0", never "1.0.0 (v1)"
    ],
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs page are public; every endpoint they describe needs a key.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "PostStatusEnum": "liveblog.models.Post.Status",
        "BlogStatusEnum": "liveblog.models.LiveBlog.Status",
        "ChangeKindEnum": "liveblog.models.Change.Kind",
        "PlacementEnum": "liveblog.models.media.Placement",
    },
    # Swagger UI from our own static files (drf-spectacular-sidecar), CSP-friendly.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "persistAuthorization": False},
}
NEWSROOM_API_THROTTLE_RATES = {
    "partner-read": os.environ.get("NEWSROOM_API_PARTNER_READ_RATE", "600/min"),
    "partner-write": os.environ.get("NEWSROOM_API_PARTNER_WRITE_RATE", "30/min"),
    "staff-read": os.environ.get("NEWSROOM_API_STAFF_READ_RATE", "1200/min"),
    "staff-write": os.environ.get("NEWSROOM_API_STAFF_WRITE_RATE", "120/min"),
}
# Idempotency-Key responses are replayed for this long (seconds).
NEWSROOM_API_IDEMPOTENCY_TTL = int(os.environ.get("NEWSROOM_API_IDEMPOTENCY_TTL", "86400"))
# The site's public address, for absolute links in webhook deliveries (no request there).
NEWSROOM_API_PUBLIC_URL = os.environ.get("NEWSROOM_API_PUBLIC_URL", "http://127.0.0.1:8000")
NEWSROOM_WEBHOOK_TIMEOUT = float(os.environ.get("NEWSROOM_WEBHOOK_TIMEOUT", "5"))
NEWSROOM_WEBHOOK_RETRY_BASE = int(os.environ.get("NEWSROOM_WEBHOOK_RETRY_BASE", "30"))
NEWSROOM_WEBHOOK_RETRY_MAX = int(os.environ.get("NEWSROOM_WEBHOOK_RETRY_MAX", "3600"))
# Private and loopback webhook targets are refused unless DEBUG or this is set.
NEWSROOM_WEBHOOK_ALLOW_PRIVATE = env_bool("NEWSROOM_WEBHOOK_ALLOW_PRIVATE", False)

# --- Logging ------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        # The last 20 warnings and errors of Newsroom's own code, for the operations view.
        "failures": {"class": "newsroom.failures.LastFailures"},
    },
    "root": {"handlers": ["console", "failures"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # Django's own console handler would print each 4xx a second time.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # A line per task that succeeded is a worker's log, not a laptop's console.
        "celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"},
    },
}

# Demo users' password (printed by `make demo`).
NEWSROOM_DEMO_PASSWORD = os.environ.get("NEWSROOM_DEMO_PASSWORD", "newsroom-demo")
