"""Write an app as a bundle file: ``manage.py export_app field_reports -o field_reports.json``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from apps.builder.models import App, AppVersion
from apps.builder.selectors import draft_of
from apps.builder.services import bundle_export


class Command(BaseCommand):
    help = (
        "Write an app's definitions as one JSON bundle (by default its latest published "
        "version, or its draft when nothing is published) to a file or to standard output."
    )

    def add_base_argument(self, parser: CommandParser, *args: Any, **kwargs: Any) -> None:
        if "--version" in args:  # here --version picks the app's version, not Django's
            return
        super().add_base_argument(parser, *args, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("app_key", help="The app's key, e.g. field_reports.")
        parser.add_argument(
            "-o", "--output", metavar="FILE", help="Write here instead of standard output."
        )
        which = parser.add_mutually_exclusive_group()
        which.add_argument(
            "--version", type=int, metavar="N", dest="number", help="Export published version N."
        )
        which.add_argument("--draft", action="store_true", help="Export the unpublished draft.")

    def handle(self, *args: Any, **options: Any) -> None:
        key = options["app_key"]
        app = App.objects.filter(key=key).first()
        if app is None:
            known = ", ".join(App.objects.values_list("key", flat=True)) or "-"
            raise CommandError(
                _("There is no app %(key)s. Known apps: %(known)s.") % {"key": key, "known": known}
            )
        version = self._version(app, number=options["number"], draft=options["draft"])
        bundle = bundle_export(app=app, version=version)
        text = json.dumps(bundle, ensure_ascii=False, indent=2) + "\n"
        output = options["output"]
        if not output:
            self.stdout.write(text, ending="")
            return
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(
                _("Cannot write %(file)s: %(reason)s")
                % {"file": output, "reason": error.strerror or error}
            ) from error
        number = bundle["source"]["version"]
        which = f"v{number}" if number is not None else _("draft")
        self.stdout.write(
            _("%(key)s %(which)s written to %(file)s")
            % {"key": app.key, "which": which, "file": output}
        )

    def _version(self, app: App, *, number: int | None, draft: bool) -> AppVersion | None:
        if draft:
            return draft_of(app)
        if number is None:
            return None  # the service's default: the latest published version, else the draft
        version = app.versions.filter(status=AppVersion.Status.PUBLISHED, number=number).first()
        if version is None:
            published = app.versions.filter(status=AppVersion.Status.PUBLISHED)
            numbers = ", ".join(str(n) for n in published.values_list("number", flat=True))
            raise CommandError(
                _("App %(key)s has no published version %(number)s. Published: %(numbers)s.")
                % {"key": app.key, "number": number, "numbers": numbers or "-"}
            )
        return version
