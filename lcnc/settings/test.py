"""Test settings: only overrides of base."""

import os

from .base import *  # noqa: F403
from .base import DATABASES, env

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# One media folder per pytest-xdist process, so parallel tests never race on file names.
MEDIA_ROOT = BASE_DIR / "var" / f"test-media{os.environ.get('PYTEST_XDIST_WORKER', '')}"  # noqa: F405
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon_submit": "1000/minute"}}  # noqa: F405
PORTAL_SUBMIT_RATE = "1000/minute"

# A real worker (CI on PostgreSQL + Redis) must reach the database the tests use.
if env("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME")}

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop in browser tests

# WhiteNoise warns about a missing STATIC_ROOT on every request; tests need no collectstatic.
STATIC_ROOT = BASE_DIR / "var" / "test-static"  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# Rate-limit counters stay in each test process (CI's Redis is shared by parallel workers).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
