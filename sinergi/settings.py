"""Sinergi settings: everything that varies between machines comes from the environment.

See README.md ("Configuration") for the variables. Development needs none of them.
"""

import secrets
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent

env = environ.Env()
VAR_DIR = Path(env("SINERGI_VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=False)


def _secret_key() -> str:
    """Return SECRET_KEY from the environment, or in development one kept under var/."""
    key = env("SECRET_KEY", default="")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "template_partials",
    "ninja",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "sinergi.core",
    "sinergi.accounts",
    "sinergi.partners",
    "sinergi.training",
    "sinergi.learning",
    "sinergi.certificates",
    "sinergi.visits",
    "sinergi.insights",
    "sinergi.library",
    "sinergi.lti",
    "sinergi.api",
    "sinergi.operations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "sinergi.core.middleware.PrivateCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "sinergi.core.middleware.LanguageMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # request.htmx, read through sinergi.core.htmx.
    "django_htmx.middleware.HtmxMiddleware",
    "sinergi.core.middleware.NulByteMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "sinergi.urls"
# Form widgets take Bootstrap classes from templates/django/forms/ (one place for every form).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "sinergi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sinergi.core.context_processors.site",
                "sinergi.accounts.context_processors.navigation",
            ],
        },
    },
    # Plain-text e-mails (`*_subject.txt`, `*_body.txt`): the same templates, never
    # HTML-escaped, so an apostrophe in a name ("Ma'ruf") arrives as itself, not as &#x27;.
    # Only sinergi.core.emails.text_render uses it; pages keep the engine above.
    {
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
]

# --- Database ---
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'sinergi.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the single writer; IMMEDIATE makes every write transaction
    # take the write lock at BEGIN, so two "read, check, write" transactions serialise instead
    # of failing with "database is locked" half-way.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions ---
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "sinergi",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = int(timedelta(days=14).total_seconds())

# --- Accounts ---
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"
PASSWORD_RESET_TIMEOUT = int(timedelta(days=1).total_seconds())
# How long a sign-up may stay unverified before the periodic job removes it.
SINERGI_UNVERIFIED_ACCOUNT_DAYS = env.int("SINERGI_UNVERIFIED_ACCOUNT_DAYS", default=7)

# Pauses after failed log-ins (sinergi/accounts/ratelimit.py, docs/SECURITY.md). After the
# limit of failures in a scope, each further failure doubles the pause, from PAUSE up to MAX.
SINERGI_LOGIN_ACCOUNT_ADDRESS_FAILURES = env.int(
    "SINERGI_LOGIN_ACCOUNT_ADDRESS_FAILURES", default=5
)
SINERGI_LOGIN_ACCOUNT_FAILURES = env.int("SINERGI_LOGIN_ACCOUNT_FAILURES", default=10)
SINERGI_LOGIN_ADDRESS_FAILURES = env.int("SINERGI_LOGIN_ADDRESS_FAILURES", default=30)
SINERGI_LOGIN_PAUSE_SECONDS = env.int("SINERGI_LOGIN_PAUSE_SECONDS", default=60)
SINERGI_LOGIN_PAUSE_MAX_SECONDS = env.int("SINERGI_LOGIN_PAUSE_MAX_SECONDS", default=60 * 60)
# Failures older than this (with no failure since) are forgotten.
SINERGI_LOGIN_FAILURE_WINDOW_HOURS = env.int("SINERGI_LOGIN_FAILURE_WINDOW_HOURS", default=24)
# A browser that signed in before is "known" to its account for this long.
SINERGI_KNOWN_BROWSER_DAYS = env.int("SINERGI_KNOWN_BROWSER_DAYS", default=180)

# --- Internationalisation ---
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# The HTML input formats first, so date and time inputs show their stored values (core.formats).
FORMAT_MODULE_PATH = ["sinergi.core.formats"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

# --- Static and media files ---
STATIC_URL = "/static/"
# sinergi/static/ belongs to no app, so the app-directories finder would never see it.
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(VAR_DIR / "static")))
MEDIA_URL = "/media/"  # never routed: protected files are served by permission-checking views
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
WHITENOISE_USE_FINDERS = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    # Any S3-compatible store (MinIO, Ceph, AWS). Objects stay private; downloads go through
    # views that check permission and hand out short-lived signed URLs.
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            "access_key": env("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
        },
    }
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- E-mail ---------------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Sinergi <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = 20

# --- Background work ---
TASKS = {"default": {"BACKEND": env("TASK_BACKEND", default="django_tasks_db.DatabaseBackend")}}
# Workers (`manage.py run_worker`) beat every HEARTBEAT seconds; one silent for LEASE seconds is
# dead, and another worker retries its task (at most MAX_ATTEMPTS workers in all).
SINERGI_WORKER_HEARTBEAT_SECONDS = env.float("SINERGI_WORKER_HEARTBEAT_SECONDS", default=5.0)
SINERGI_WORKER_LEASE_SECONDS = env.float("SINERGI_WORKER_LEASE_SECONDS", default=30.0)
SINERGI_TASK_MAX_ATTEMPTS = env.int("SINERGI_TASK_MAX_ATTEMPTS", default=3)
# Files Sinergi wrote that no row names (work rolled back) are swept once this old.
SINERGI_ORPHAN_FILE_MINUTES = env.int("SINERGI_ORPHAN_FILE_MINUTES", default=24 * 60)

# --- Security ---
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # HTMX reads the token from the page, not the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
# The reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For is believed:
# the client's address is read from that header right to left, through these hops only.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
if env.bool("BEHIND_TLS_PROXY", default=False):
    # The reverse proxy terminates TLS and says so in this header; trust it only when told to.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        # Videos in the classroom: only the privacy-enhanced players of YouTube and Vimeo.
        "frame-src": ["https://www.youtube-nocookie.com", "https://player.vimeo.com"],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Logging ---
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# --- Sinergi ---
SINERGI_HOST_NAME = env(
    "SINERGI_HOST_NAME", default="Perpustakaan Universitas Pendidikan Indonesia"
)
SINERGI_HOST_SHORT_NAME = env("SINERGI_HOST_SHORT_NAME", default="Perpustakaan UPI")
SINERGI_SUPPORT_EMAIL = env("SINERGI_SUPPORT_EMAIL", default="perpustakaan@localhost")
# The address people reach Sinergi at, for links in e-mails, PDFs and QR codes made away from a
# request (background workers, the demo data). Unset, it follows the port `make run` serves on.
SITE_URL = env("SITE_URL", default=f"http://127.0.0.1:{env('PORT', default='8000')}").rstrip("/")

# --- Training: registration, invoices, payments ---
SINERGI_PAYMENT_WINDOW_HOURS = env.int("SINERGI_PAYMENT_WINDOW_HOURS", default=48)
SINERGI_OFFER_WINDOW_HOURS = env.int("SINERGI_OFFER_WINDOW_HOURS", default=24)
SINERGI_INVOICE_PREFIX = env("SINERGI_INVOICE_PREFIX", default="INV/DIKLAT")
SINERGI_CREDIT_NOTE_SUFFIX = env("SINERGI_CREDIT_NOTE_SUFFIX", default="KN")
SINERGI_BANK_NAME = env("SINERGI_BANK_NAME", default="Bank Negara Indonesia (BNI)")
SINERGI_BANK_ACCOUNT = env("SINERGI_BANK_ACCOUNT", default="0000000000")
SINERGI_BANK_ACCOUNT_NAME = env("SINERGI_BANK_ACCOUNT_NAME", default="RPL BLU UPI Perpustakaan")
MIDTRANS_SERVER_KEY = env("MIDTRANS_SERVER_KEY", default="")
MIDTRANS_CLIENT_KEY = env("MIDTRANS_CLIENT_KEY", default="")
MIDTRANS_IS_PRODUCTION = env.bool("MIDTRANS_IS_PRODUCTION", default=False)
# Who signs receipts (kuitansi), and the place written before the date on documents.
# An empty name leaves a dotted line to write the name by hand.
SINERGI_TREASURER_NAME = env("SINERGI_TREASURER_NAME", default="")
SINERGI_TREASURER_TITLE = env(
    "SINERGI_TREASURER_TITLE", default="Bendahara Penerimaan Perpustakaan UPI"
)
SINERGI_DOCUMENT_PLACE = env("SINERGI_DOCUMENT_PLACE", default="Bandung")
# Who signs clearance letters; when empty, the officer who approved the request signs on the
# head's behalf (a.n.), by name.
SINERGI_LIBRARY_HEAD_NAME = env("SINERGI_LIBRARY_HEAD_NAME", default="")
SINERGI_LIBRARY_HEAD_NIP = env("SINERGI_LIBRARY_HEAD_NIP", default="")

# --- Signed documents (PAdES): certificates, clearance letters, receipts; docs/CERTIFICATES.md
# The library's key: a PKCS#12 file and its passphrase, or a PEM key, certificate and chain.
SINERGI_SIGNING_PKCS12 = env("SINERGI_SIGNING_PKCS12", default="")
SINERGI_SIGNING_KEY = env("SINERGI_SIGNING_KEY", default="")
SINERGI_SIGNING_CERT = env("SINERGI_SIGNING_CERT", default="")
SINERGI_SIGNING_CHAIN = env.list("SINERGI_SIGNING_CHAIN", default=[])
SINERGI_SIGNING_PASSPHRASE = env("SINERGI_SIGNING_PASSPHRASE", default="")
# The roots the signature is validated against before signing (for the embedded validation
# information); by default the chain's own self-signed certificate.
SINERGI_SIGNING_TRUST_ROOTS = env.list("SINERGI_SIGNING_TRUST_ROOTS", default=[])
# An RFC 3161 time-stamping authority: with it, signatures are B-T, and B-LT with revocation.
SINERGI_SIGNING_TSA_URL = env("SINERGI_SIGNING_TSA_URL", default="")
# Fetch OCSP responses and CRLs named in the chain to embed them (needs the CA's servers).
SINERGI_SIGNING_FETCH_REVOCATION = env.bool("SINERGI_SIGNING_FETCH_REVOCATION", default=True)
# Use var/signing/development.p12 even with DEBUG off (tests, a demo server). Never production.
SINERGI_SIGNING_DEVELOPMENT = env.bool("SINERGI_SIGNING_DEVELOPMENT", default=False)
# Open Badges 3.0 credentials (VC-JWT, EdDSA): a PEM Ed25519 private key file; previous keys'
# public PEM files stay in the issuer's JWKS so that badges they signed still verify.
SINERGI_BADGE_KEY = env("SINERGI_BADGE_KEY", default="")
SINERGI_BADGE_PREVIOUS_KEYS = env.list("SINERGI_BADGE_PREVIOUS_KEYS", default=[])
# The JP of competency development a participant should reach in a year (the JP record).
SINERGI_JP_TARGET = env.int("SINERGI_JP_TARGET", default=20)

# --- Learning: sessions and self check-in ---
# One JP (jam pelajaran) of a session, in minutes.
SINERGI_JP_MINUTES = env.int("SINERGI_JP_MINUTES", default=45)
# Self check-in opens this many minutes before a session starts and closes this many minutes
# after it ends; checking in more than SINERGI_CHECKIN_LATE_MINUTES after the start is late.
SINERGI_CHECKIN_OPENS_MINUTES = env.int("SINERGI_CHECKIN_OPENS_MINUTES", default=15)
SINERGI_CHECKIN_CLOSES_MINUTES = env.int("SINERGI_CHECKIN_CLOSES_MINUTES", default=0)
SINERGI_CHECKIN_LATE_MINUTES = env.int("SINERGI_CHECKIN_LATE_MINUTES", default=15)
# The speaker's QR changes every STEP seconds; a scanned code is accepted for VALID seconds.
SINERGI_CHECKIN_QR_STEP_SECONDS = env.int("SINERGI_CHECKIN_QR_STEP_SECONDS", default=30)
SINERGI_CHECKIN_QR_VALID_SECONDS = env.int("SINERGI_CHECKIN_QR_VALID_SECONDS", default=60)

# --- Uploads (docs/UPLOADS.md): archives are judged from their directory, never inflated ---
SINERGI_ARCHIVE_MAX_ENTRIES = env.int("SINERGI_ARCHIVE_MAX_ENTRIES", default=10_000)
SINERGI_ARCHIVE_MAX_UNPACKED_BYTES = env.int(
    "SINERGI_ARCHIVE_MAX_UNPACKED_BYTES", default=300 * 1024 * 1024
)
SINERGI_ARCHIVE_MAX_RATIO = env.int("SINERGI_ARCHIVE_MAX_RATIO", default=100)
# An image with more pixels than this is refused from its header, before it is decoded.
SINERGI_IMAGE_MAX_PIXELS = env.int("SINERGI_IMAGE_MAX_PIXELS", default=40_000_000)
# A GIFT or Moodle XML file larger than this is imported by a background task.
SINERGI_QUESTION_IMPORT_INLINE_MAX_BYTES = env.int(
    "SINERGI_QUESTION_IMPORT_INLINE_MAX_BYTES", default=512 * 1024
)

# Partnerships: an agreement is "expiring" this many days before its end; reminders go to its
# person in charge at each of these days before the end (comma-separated).
SINERGI_AGREEMENT_EXPIRING_DAYS = env.int("SINERGI_AGREEMENT_EXPIRING_DAYS", default=180)
SINERGI_AGREEMENT_REMINDER_DAYS = sorted(
    {
        int(days)
        for days in env.list("SINERGI_AGREEMENT_REMINDER_DAYS", default=["180", "90", "30"])
    },
    reverse=True,
)

# --- Visits and services: clearance letters are numbered BP/PERPUS/2026/00001 ---
SINERGI_CLEARANCE_PREFIX = env("SINERGI_CLEARANCE_PREFIX", default="BP/PERPUS")

# --- Certificates ---
# Public look-ups of a certificate code per address and minute (against guessing codes).
SINERGI_CERTIFICATE_VERIFY_PER_MINUTE = env.int("SINERGI_CERTIFICATE_VERIFY_PER_MINUTE", default=30)
# A batch with more certificates to issue, or to zip, than this is handled by a background task.
SINERGI_CERTIFICATE_INLINE_ISSUE_MAX = env.int("SINERGI_CERTIFICATE_INLINE_ISSUE_MAX", default=100)
SINERGI_CERTIFICATE_ZIP_INLINE_MAX = env.int("SINERGI_CERTIFICATE_ZIP_INLINE_MAX", default=300)
# Processes that render the PDFs of a large batch in the background task (one per core).
SINERGI_CERTIFICATE_RENDER_PROCESSES = env.int("SINERGI_CERTIFICATE_RENDER_PROCESSES", default=1)
# A bulk issue numbers, renders and records this many certificates per transaction.
SINERGI_CERTIFICATE_ISSUE_CHUNK = env.int("SINERGI_CERTIFICATE_ISSUE_CHUNK", default=250)

# --- Library: e-book lending ---
# The folder under which a librarian may name a SLiMS files folder on the import page
# (covers in images/docs/, attachments in repository/); empty: the page takes none.
SINERGI_IMPORT_ROOT = env("SINERGI_IMPORT_ROOT", default="")
SINERGI_LOAN_DAYS = env.int("SINERGI_LOAN_DAYS", default=3)
SINERGI_MAX_LOANS = env.int("SINERGI_MAX_LOANS", default=3)
SINERGI_MAX_HOLDS = env.int("SINERGI_MAX_HOLDS", default=5)
SINERGI_HOLD_RESERVATION_HOURS = env.int("SINERGI_HOLD_RESERVATION_HOURS", default=24)
# How long a signed link to an e-book file works (it also stops when the loan ends).
SINERGI_FILE_URL_SECONDS = env.int("SINERGI_FILE_URL_SECONDS", default=300)
# Full-text search: "auto" (PostgreSQL full text on PostgreSQL, FTS5 on SQLite), or force one.
SINERGI_LIBRARY_SEARCH = env("SINERGI_LIBRARY_SEARCH", default="auto")
# OAI-PMH identifiers are oai:<this>:title/<id>.
SINERGI_OAI_NAMESPACE = env("SINERGI_OAI_NAMESPACE", default="perpustakaan.upi.edu")
# Identify's adminEmail; `check --deploy` refuses one OAI-PMH.xsd rejects (library.E001).
SINERGI_OAI_ADMIN_EMAIL = env("SINERGI_OAI_ADMIN_EMAIL", default=SINERGI_SUPPORT_EMAIL)

# --- LTI 1.3 (docs/lti.md) ---
# Seconds to wait for a platform (JWKS, token, roster, scores); a retired signing key stays in
# Sinergi's JWKS this many days; a platform's JWKS is cached this many seconds.
SINERGI_LTI_HTTP_TIMEOUT = env.float("SINERGI_LTI_HTTP_TIMEOUT", default=10.0)
SINERGI_LTI_KEY_GRACE_DAYS = env.int("SINERGI_LTI_KEY_GRACE_DAYS", default=14)
SINERGI_LTI_JWKS_CACHE_SECONDS = env.int("SINERGI_LTI_JWKS_CACHE_SECONDS", default=3600)
