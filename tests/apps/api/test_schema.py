"""The committed OpenAPI schema is the one the code generates, without warnings."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management import call_command

COMMITTED = Path(settings.BASE_DIR) / "docs" / "openapi.yaml"
REGENERATE = ".venv/bin/python manage.py spectacular --file docs/openapi.yaml"


def test_committed_openapi_schema_is_up_to_date(tmp_path: Path) -> None:
    generated = tmp_path / "openapi.yaml"
    # --fail-on-warn: a warning (an undocumented field, a name collision) fails the test.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(generated))
    assert COMMITTED.exists(), f"docs/openapi.yaml is missing; run `{REGENERATE}`"
    assert generated.read_text(encoding="utf-8") == COMMITTED.read_text(encoding="utf-8"), (
        f"docs/openapi.yaml is out of date with the API; run `{REGENERATE}` and commit it"
    )
