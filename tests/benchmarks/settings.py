"""Settings of the services benchmark: the project's own settings in production mode
(``DEBUG`` off, so Django keeps no log of queries), plus django-viewflow and the benchmark's
viewflow flow, so both run on the same database in the same process.

``DATABASE_URL`` is set by ``tests.benchmarks.services`` before Django starts."""

import os

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "services-benchmark-only")
os.environ.setdefault("WEBHOOK_SECRET", "services-benchmark-only")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from lcnc.settings.base import *  # noqa: E402, F403
from lcnc.settings.base import INSTALLED_APPS  # noqa: E402

INSTALLED_APPS = [
    *INSTALLED_APPS,
    "viewflow",
    "viewflow.workflow",
    "tests.benchmarks.viewflow_flow",
]
# The benchmark's passwords are never checked: a cheap hasher keeps the set-up quick.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
