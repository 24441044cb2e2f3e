"""Django settings for lawdesk, read from the environment.

Two modes:
- embedded (default): SQLite under ``$LAWDESK_HOME`` (``./var``), secrets generated there on
  first run, plain HTTP on loopback for the demo;
- production (``LAWDESK_MODE=production``): refuses to start with a missing or default secret,
  with ``DEBUG`` on, or without an explicit ``DATABASE_URL`` and ``LAWDESK_ALLOWED_HOSTS``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
HOME = Path(os.environ.get("LAWDESK_HOME", Path.cwd() / "var")).resolve()
HOME.mkdir(parents=True, exist_ok=True)
# Libraries keep caches in the user's home folder unless told otherwise (fontconfig through
# WeasyPrint, matplotlib): lawdesk keeps everything it writes under LAWDESK_HOME.
os.environ.setdefault("XDG_CACHE_HOME", str(HOME / "cache"))
os.environ.setdefault("MPLCONFIGDIR", str(HOME / "cache" / "matplotlib"))

MODE = os.environ.get("LAWDESK_MODE", "embedded")
if MODE not in {"embedded", "production", "test"}:
    raise ImproperlyConfigured(f"LAWDESK_MODE must be embedded, production or test, not {MODE!r}")
PRODUCTION = MODE == "production"

_INSECURE_SECRETS = {"", "changeme", "secret", "django-insecure", "lawdesk"}


def _generated_secret(name: str) -> str:
    """Return a secret kept in a file under HOME, creating it (mode 0600) on first use."""
    path = HOME / name
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = os.environ.get("LAWDESK_SECRET_KEY", "")
DEBUG = os.environ.get("LAWDESK_DEBUG", "0") == "1"
if PRODUCTION:
    if SECRET_KEY.strip().lower() in _INSECURE_SECRETS or len(SECRET_KEY) < 40:
        raise ImproperlyConfigured(
            "LAWDESK_SECRET_KEY must be set to a random value of at least 40 characters "
            "in production mode."
        )
    if DEBUG:
        raise ImproperlyConfigured("LAWDESK_DEBUG must not be on in production mode.")
    if "DATABASE_URL" not in os.environ:
        raise ImproperlyConfigured("DATABASE_URL must be set in production mode.")
elif not SECRET_KEY:
    SECRET_KEY = _generated_secret("secret_key")

# Encrypts secrets kept in the database (TOTP seeds). Separate from SECRET_KEY so that
# rotating the session-signing key does not lock every user out of their second factor.
LAWDESK_FIELD_KEY = os.environ.get("LAWDESK_FIELD_KEY", "")
if PRODUCTION and len(LAWDESK_FIELD_KEY) < 32:
    raise ImproperlyConfigured("LAWDESK_FIELD_KEY must be a random value of at least 32 characters.")
if not LAWDESK_FIELD_KEY:
    LAWDESK_FIELD_KEY = _generated_secret("field_key")

_hosts = os.environ.get("LAWDESK_ALLOWED_HOSTS", "")
if PRODUCTION and not _hosts:
    raise ImproperlyConfigured("LAWDESK_ALLOWED_HOSTS must list the public host names.")
ALLOWED_HOSTS = [h.strip() for h in _hosts.split(",") if h.strip()] or [
    "127.0.0.1",
    "localhost",
    "testserver",
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("LAWDESK_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "lawdesk.core",
    "lawdesk.audit",
    "lawdesk.accounts",
    "lawdesk.transparency",
    "lawdesk.cases",
    "lawdesk.evidence",
    "lawdesk.collection",
    "lawdesk.removal",
    "lawdesk.api",
    "lawdesk.interop",
]

MIDDLEWARE = [
    "lawdesk.core.uploads.RequestSizeLimitMiddleware",  # first: before anything reads a body
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "lawdesk.core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: the officer's own language and time zone come first.
    "lawdesk.core.middleware.UserLocaleMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "lawdesk.accounts.middleware.RequireSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "lawdesk.urls"
WSGI_APPLICATION = "lawdesk.wsgi.application"
ASGI_APPLICATION = "lawdesk.asgi.application"

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
                "lawdesk.core.context_processors.lawdesk",
            ],
        },
    }
]

# --- Database ---------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{HOME / 'lawdesk.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so two writers never both read the same
    # audit-chain head; WAL lets the web server read while the worker writes.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    # A database cache is shared by every web and worker process: allauth's rate limits
    # (login lockout) and its used-TOTP-code markers must hold across processes.
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "lawdesk_cache",
    }
}

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# --- Authentication --------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_ADAPTER = "lawdesk.accounts.adapters.AccountAdapter"
ACCOUNT_FORMS = {
    "signup": "lawdesk.accounts.forms.OfficerSignupForm",
    "login": "lawdesk.accounts.forms.AgencyAwareLoginForm",
}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_UNIQUE_EMAIL = True
# Officers must be told plainly that an address is already registered (issue 2 "bad input").
ACCOUNT_PREVENT_ENUMERATION = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[lawdesk] "
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/15m/key",
    "signup": "20/m/ip",
}
MFA_ADAPTER = "lawdesk.accounts.adapters.MFAAdapter"
MFA_FORMS = {"activate_totp": "lawdesk.accounts.forms.ActivateTOTPForm"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = os.environ.get("LAWDESK_PLATFORM_NAME", "lawdesk")
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION
MFA_PASSKEY_LOGIN_ENABLED = False

# --- Security baseline -----------------------------------------------------------------
TLS = PRODUCTION or os.environ.get("LAWDESK_TLS", "0") == "1"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = TLS
SESSION_COOKIE_AGE = 8 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_SECURE = TLS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if TLS:
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_SSL_REDIRECT = os.environ.get("LAWDESK_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

# --- Mail --------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "LAWDESK_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = os.environ.get("LAWDESK_EMAIL_DIR", str(HOME / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get("LAWDESK_FROM_EMAIL", "lawdesk@platform.example")
EMAIL_HOST = os.environ.get("LAWDESK_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("LAWDESK_EMAIL_PORT", "25"))

# --- i18n, static ------------------------------------------------------------------------
# The languages of the interface; a user's own choice (their profile) comes first, then the
# browser's Accept-Language, then LAWDESK_LANGUAGE (decision 0020).
LANGUAGES = [("en", "English"), ("fr", "Français")]
LANGUAGE_CODE = os.environ.get("LAWDESK_LANGUAGE", "en")
if LANGUAGE_CODE not in {code for code, _name in LANGUAGES}:
    raise ImproperlyConfigured(f"LAWDESK_LANGUAGE must be one of en, fr, not {LANGUAGE_CODE!r}")
LOCALE_PATHS = [BASE_DIR / "locale"]
# Counts shown to people are grouped as their language writes them (2,072; French 2 072, a
# narrow no-break space); machine formats (JSON, CSV, XLSX, the API) keep plain numbers.
FORMAT_MODULE_PATH = ["lawdesk.core.formats"]
LANGUAGE_COOKIE_NAME = "lawdesk_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = TLS
# Everything is stored in UTC; pages show times in the viewer's zone, with the zone named:
# the user's profile zone, else their agency's country's zone, else this one.
TIME_ZONE = "UTC"
LAWDESK_TIME_ZONE = os.environ.get("LAWDESK_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
STATIC_ROOT = HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = HOME / "files"
WHITENOISE_USE_FINDERS = not PRODUCTION

# --- Logging: never log secrets; request bodies are not logged at all. -------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "lawdesk.core.logging.RedactSecretsFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LAWDESK_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"},
                "weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# --- lawdesk -----------------------------------------------------------------------------
LAWDESK_PLATFORM_NAME = os.environ.get("LAWDESK_PLATFORM_NAME", "Msgr (synthetic platform)")
# The custodian of records who certifies evidence packages (signed testimony names a person).
# The demo has one; a production deployment must name its own.
LAWDESK_CUSTODIAN_NAME = os.environ.get("LAWDESK_CUSTODIAN_NAME", "" if PRODUCTION else "Sam Archer")
LAWDESK_CUSTODIAN_TITLE = os.environ.get(
    "LAWDESK_CUSTODIAN_TITLE", "" if PRODUCTION else "Custodian of records (demo deployment)")
LAWDESK_CUSTODIAN_ORGANISATION = os.environ.get("LAWDESK_CUSTODIAN_ORGANISATION", LAWDESK_PLATFORM_NAME)
# The title as the certificate's other language says it (LAWDESK_CUSTODIAN_TITLE_FR, …); without
# one, that version gives LAWDESK_CUSTODIAN_TITLE as written.
LAWDESK_CUSTODIAN_TITLES = {
    code: title for code, title in (
        ("fr", os.environ.get("LAWDESK_CUSTODIAN_TITLE_FR", "" if PRODUCTION else
                              "Responsable de la conservation des enregistrements (déploiement de "
                              "démonstration)")),
    ) if title}
if PRODUCTION and not (LAWDESK_CUSTODIAN_NAME and LAWDESK_CUSTODIAN_TITLE):
    raise ImproperlyConfigured("LAWDESK_CUSTODIAN_NAME and LAWDESK_CUSTODIAN_TITLE must name the "
                               "custodian of records who certifies evidence packages.")
LAWDESK_BASE_URL = os.environ.get("LAWDESK_BASE_URL", "http://127.0.0.1:8000")
LAWDESK_MAX_WINDOW_DAYS = int(os.environ.get("LAWDESK_MAX_WINDOW_DAYS", "366"))
LAWDESK_MAX_ATTACHMENT_BYTES = int(os.environ.get("LAWDESK_MAX_ATTACHMENT_MB", "20")) * 1_000_000
LAWDESK_API_TOKEN_DAYS = int(os.environ.get("LAWDESK_API_TOKEN_DAYS", "90"))  # API token lifetime
LAWDESK_VOLUME_PER_OFFICER_DAY = int(os.environ.get("LAWDESK_VOLUME_PER_OFFICER_DAY", "20"))
LAWDESK_VOLUME_PER_AGENCY_DAY = int(os.environ.get("LAWDESK_VOLUME_PER_AGENCY_DAY", "200"))
# The rule engine's deployment configuration (establishment, platform policy, deadlines):
# a TOML file path, or None for the defaults documented in docs/law/.
LAWDESK_LAW_CONFIG = os.environ.get("LAWDESK_LAW_CONFIG") or None
# The platform's own published policy, as the legal analysis cites it (unless the TOML file
# above names its ``policy.source``), e.g. "Msgr privacy policy § 8.3 (March 2026)".
LAWDESK_POLICY_NAME = os.environ.get("LAWDESK_POLICY_NAME") or (
    LAWDESK_PLATFORM_NAME.split(" (")[0] + " privacy policy")
# Requesters see "the platform's legal team" instead of staff names (staff safety); set to 1
# to show the names of reviewers and approvers to officers.
LAWDESK_SHOW_STAFF_NAMES = os.environ.get("LAWDESK_SHOW_STAFF_NAMES", "0") == "1"
# The platform's data: a generated dataset directory (DuckDB over Parquet) or a postgres:// URL.
LAWDESK_PLATFORM_DIR = os.environ.get("LAWDESK_PLATFORM_DIR", str(HOME / "platform"))
# For how many days after a change of an agency's verified domains or call-back number the
# desk flags the agency's new requests.
LAWDESK_ANCHOR_RECENT_DAYS = int(os.environ.get("LAWDESK_ANCHOR_RECENT_DAYS", "30"))
# HI-1 (ETSI TS 103 120): this platform's endpoint identity (CountryCode:UniqueIdentifier), the
# reverse proxies that terminate the authorities' mutual TLS (addresses or networks, comma-
# separated; nobody else may present a certificate fingerprint), and the header they put the
# verified client certificate's SHA-256 fingerprint in (docs/decisions/0019-hi1-mtls-identity.md).
# The DSA Transparency Database (Art. 24(5)): its API's base URL and this platform's token.
# Without a URL, statements of reasons wait in the outbox (docs/decisions/0024).
LAWDESK_TDB_URL = os.environ.get("LAWDESK_TDB_URL", "")
LAWDESK_TDB_TOKEN = os.environ.get("LAWDESK_TDB_TOKEN", "")
# The Digital Services Coordinators told of the effect given to DSA Art. 9 orders, per issuing
# member state: "FR=dsc@arcom.example,IE=dsc@cnam.example" (none: the authority only).
LAWDESK_DSC_EMAILS = dict(
    (part.split("=", 1)[0].strip().upper(), part.split("=", 1)[1].strip())
    for part in os.environ.get("LAWDESK_DSC_EMAILS", "").split(",") if "=" in part)
LAWDESK_HI1_IDENTITY = os.environ.get("LAWDESK_HI1_IDENTITY", "XX:lawdesk")
LAWDESK_HI1_PROXIES = [p.strip() for p in os.environ.get("LAWDESK_HI1_PROXIES", "").split(",")
                       if p.strip()]
LAWDESK_HI1_CERT_HEADER = os.environ.get("LAWDESK_HI1_CERT_HEADER", "X-Client-Cert-SHA256")
# What lawdesk sends back over HI-1 (status notifications, deliveries): its own client
# certificate and key for the authorities' mutual TLS, the CA bundle that verifies their
# servers (default: the system's), and up to what size a package travels inside the DELIVER
# (BinaryData); a larger one is fetched from a URL that expires (LAWDESK_DOWNLOAD_DAYS).
LAWDESK_HI1_CLIENT_CERT = os.environ.get("LAWDESK_HI1_CLIENT_CERT", "")
LAWDESK_HI1_CLIENT_KEY = os.environ.get("LAWDESK_HI1_CLIENT_KEY", "")
LAWDESK_HI1_SERVER_CA = os.environ.get("LAWDESK_HI1_SERVER_CA", "")
LAWDESK_HI1_INLINE_BYTES = int(os.environ.get("LAWDESK_HI1_INLINE_BYTES", str(5_000_000)))
# The public URL of /hi1/ behind the mutual-TLS proxy (a larger package's download link).
LAWDESK_HI1_PUBLIC_URL = os.environ.get("LAWDESK_HI1_PUBLIC_URL", "")
LAWDESK_DOWNLOAD_DAYS = int(os.environ.get("LAWDESK_DOWNLOAD_DAYS", "14"))
# Public transparency figures: a period is published this many days after it ends, and counts
# below this threshold are shown as a band (1 to 9); 0 shows every count exactly (decision 0018).
LAWDESK_TRANSPARENCY_DELAY_DAYS = int(os.environ.get("LAWDESK_TRANSPARENCY_DELAY_DAYS", "30"))
LAWDESK_TRANSPARENCY_BAND_BELOW = int(os.environ.get("LAWDESK_TRANSPARENCY_BAND_BELOW", "10"))
# The official languages in which the platform accepts orders, as it declared them (Directive
# (EU) 2023/1544 Art. 4): an order in another language is flagged "translation required".
LAWDESK_DECLARED_LANGUAGES = [code.strip().lower() for code in os.environ.get(
    "LAWDESK_DECLARED_LANGUAGES", "en,fr").split(",") if code.strip()]
LAWDESK_COLLECTION_LEASE_SECONDS = int(os.environ.get("LAWDESK_COLLECTION_LEASE_SECONDS", "120"))
# Pause between collection units, to spare a busy production store (0 = none).
LAWDESK_COLLECTION_PAUSE_SECONDS = float(os.environ.get("LAWDESK_COLLECTION_PAUSE_SECONDS", "0"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "lawdesk.core.uploads.SizeLimitUploadHandler",  # refuses an oversized body before reading it
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

if MODE == "test":
    # Hashing cost is what makes passwords safe, and what makes a test suite slow.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
