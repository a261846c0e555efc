"""Delete the form drafts that have expired, with the files they kept (run daily)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from apps.portal.services import drafts_expired_delete


class Command(BaseCommand):
    help = "Delete expired form drafts of the citizen portal and the files they kept."

    def handle(self, *args: Any, **options: Any) -> None:
        count = drafts_expired_delete()
        self.stdout.write(f"{count} expired draft(s) deleted")
