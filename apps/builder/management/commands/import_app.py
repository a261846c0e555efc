"""Load an app bundle file: ``manage.py import_app field_reports.json [--no-publish]``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from apps.builder.services import bundle_import
from apps.core.errors import ServiceError

from ..errors import service_error_text


class Command(BaseCommand):
    help = (
        "Load an app bundle (JSON, as written by export_app) into the app's draft and publish "
        "it as a new version. A bundle identical to the latest published version changes "
        "nothing. Use - to read standard input."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The bundle file, or - for standard input.")
        parser.add_argument(
            "--no-publish",
            action="store_false",
            dest="publish",
            help="Only replace the app's draft; publish it later in the builder.",
        )
        parser.add_argument("--note", default="", help="The change note of the new version.")

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["file"]
        bundle = self._read(name)
        try:
            app, version, changed = bundle_import(
                bundle=bundle, user=None, publish=options["publish"], note=options["note"]
            )
        except ServiceError as error:
            raise CommandError(f"{name}: {service_error_text(error)}") from error
        if version is None:
            self.stdout.write(_("%(key)s: draft (updated, not published)") % {"key": app.key})
        elif changed:
            self.stdout.write(
                _("%(key)s: v%(number)s (published)") % {"key": app.key, "number": version.number}
            )
        else:
            self.stdout.write(
                _("%(key)s: v%(number)s (unchanged)") % {"key": app.key, "number": version.number}
            )

    def _read(self, name: str) -> Any:
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            raise CommandError(
                _("%(file)s is not UTF-8 text: %(reason)s") % {"file": name, "reason": error}
            ) from error
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(reason)s")
                % {"file": name, "reason": error.strerror or error}
            ) from error
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise CommandError(
                _("%(file)s is not valid JSON: %(reason)s (line %(line)s, column %(column)s)")
                % {"file": name, "reason": error.msg, "line": error.lineno, "column": error.colno}
            ) from error
