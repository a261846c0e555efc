"""Load the demo agencies, users and sample apps (idempotent).

A project command: it spans accounts, the builder and the portal's Open311 keys, so it
lives above every app."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import User
from apps.accounts.permissions import grant_app_builder
from apps.accounts.services import demo_load
from apps.builder.services import bundle_import
from apps.core.errors import ServiceError
from apps.portal.open311.services import DEMO_API_KEY, api_key_ensure_demo

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
DEMO_BUILDER = "xaydungapp"


class Command(BaseCommand):
    help = "Load the demo agencies, users and sample apps. Safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        demo = FIXTURES / "demo"
        demo_load(
            agencies=json.loads((demo / "agencies.json").read_text(encoding="utf-8")),
            users=json.loads((demo / "users.json").read_text(encoding="utf-8")),
        )
        builder = User.objects.filter(username=DEMO_BUILDER).first()
        for path in sorted((FIXTURES / "apps").glob("*.json")):
            bundle = json.loads(path.read_text(encoding="utf-8"))
            try:
                app, version, changed = bundle_import(bundle=bundle, note=f"load_demo {path.name}")
            except ServiceError as error:
                raise CommandError(f"{path.name}: {error.message} {error.details or ''}") from error
            if builder is not None:
                grant_app_builder(builder, app)
            state = "published" if changed else "unchanged"
            number = version.number if version else "-"
            self.stdout.write(f"{app.key}: v{number} ({state})")
        api_key_ensure_demo()
        self.stdout.write(f"Open311 demo api_key: {DEMO_API_KEY}")
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
