"""export_app / import_app: moving an app between installations as one file."""

from __future__ import annotations

import copy
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from apps.builder.models import App, AppVersion, Definition
from apps.builder.selectors import latest_published

METADATA = {"exported_at", "source"}


def run(command: str, *args: str) -> str:
    """The command's output, in English (the installation's default language is Vietnamese)."""
    out = StringIO()
    with translation.override("en"):
        call_command(command, *args, stdout=out)
    return out.getvalue()


def export(tmp_path: Path, *args: str, name: str = "bundle.json") -> tuple[Path, dict[str, Any]]:
    path = tmp_path / name
    run("export_app", "field_reports", "-o", str(path), *args)
    return path, json.loads(path.read_text(encoding="utf-8"))


def without_metadata(bundle: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in bundle.items() if k not in METADATA}


def write(path: Path, bundle: Any) -> Path:
    path.write_text(json.dumps(bundle, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def snapshot() -> dict[str, Any]:
    """What import must not touch when it refuses a bundle."""
    return {
        "apps": list(App.objects.values_list("key", "label", "updated_at").order_by("key")),
        "versions": list(
            AppVersion.objects.values_list("pk", "number", "status", "content_hash", "label")
        ),
        "definitions": list(
            Definition.objects.values_list("pk", "version_id", "content_hash").order_by("pk")
        ),
    }


def workflow_of(bundle: dict[str, Any]) -> dict[str, Any]:
    return next(w for w in bundle["workflows"] if w["key"] == "field_report_flow")


def node_of(bundle: dict[str, Any], node_id: str) -> dict[str, Any]:
    return next(n for n in workflow_of(bundle)["nodes"] if n["id"] == node_id)


def test_export_writes_pretty_utf8_json_of_the_latest_published_version(demo, tmp_path):
    path, bundle = export(tmp_path)

    text = path.read_text(encoding="utf-8")
    assert "Phản ánh hiện trường" in text  # ensure_ascii=False: Vietnamese stays readable
    assert text.startswith('{\n  "format_version": 1,')
    assert bundle["app"]["key"] == "field_reports"
    assert bundle["source"]["version"] == 1
    assert (
        bundle["source"]["content_hash"]
        == latest_published(App.objects.get(key="field_reports")).content_hash
    )
    assert [e["key"] for e in bundle["entities"]] == ["field_report"]


def test_export_without_output_file_prints_the_bundle(demo):
    bundle = json.loads(run("export_app", "field_reports"))

    assert bundle["app"]["key"] == "field_reports"
    assert bundle["source"]["version"] == 1


def test_export_of_the_draft_has_no_version_number(demo):
    bundle = json.loads(run("export_app", "field_reports", "--draft"))

    assert bundle["source"]["version"] is None
    assert [w["key"] for w in bundle["workflows"]] == ["field_report_flow"]


def test_importing_an_exported_bundle_again_changes_nothing(demo, tmp_path):
    path, _bundle = export(tmp_path)
    before = snapshot()

    output = run("import_app", str(path))

    assert output.strip() == "field_reports: v1 (unchanged)"
    assert snapshot() == before


def test_importing_a_changed_label_publishes_version_2_that_exports_back_identically(
    demo, tmp_path
):
    path, bundle = export(tmp_path)
    node_of(bundle, "triage")["label"] = {"vi": "Phân loại và xác minh", "en": "Triage and verify"}
    write(path, bundle)

    output = run("import_app", str(path), "--note", "clearer task name")

    assert output.strip() == "field_reports: v2 (published)"
    app = App.objects.get(key="field_reports")
    version = latest_published(app)
    assert version is not None and version.number == 2
    assert version.note == "clearer task name"
    workflow = version.definitions.get(kind="workflow").document
    triage = next(n for n in workflow["nodes"] if n["id"] == "triage")
    assert triage["label"]["vi"] == "Phân loại và xác minh"
    _again_path, again = export(tmp_path, name="again.json")
    assert again["source"]["version"] == 2
    assert without_metadata(again) == without_metadata(bundle)


def test_exporting_an_older_version_gives_its_definitions(demo, tmp_path):
    path, bundle = export(tmp_path)
    original = copy.deepcopy(bundle)
    bundle["app"]["label"]["en"] = "Street problems"
    run("import_app", str(write(path, bundle)))

    _path, first = export(tmp_path, "--version", "1", name="v1.json")

    assert first["source"]["version"] == 1
    assert without_metadata(first) == without_metadata(original)


def test_import_with_no_publish_only_replaces_the_draft(demo, tmp_path):
    path, bundle = export(tmp_path)
    bundle["app"]["label"]["en"] = "Street problems"

    output = run("import_app", str(write(path, bundle)), "--no-publish")

    assert output.strip() == "field_reports: draft (updated, not published)"
    app = App.objects.get(key="field_reports")
    assert latest_published(app).number == 1
    assert app.versions.get(status="draft").label["en"] == "Street problems"
    assert json.loads(run("export_app", "field_reports", "--draft"))["app"]["label"] == {
        "vi": "Phản ánh hiện trường",
        "en": "Street problems",
    }


def test_import_creates_an_app_that_does_not_exist_yet(demo, tmp_path):
    path, bundle = export(tmp_path)
    bundle["app"]["key"] = "field_reports_copy"

    output = run("import_app", str(write(path, bundle)))

    assert output.strip() == "field_reports_copy: v1 (published)"
    copied = App.objects.get(key="field_reports_copy")
    # The entity, the form and the workflow, and the sample app's saved tests.
    kinds = set(latest_published(copied).definitions.values_list("kind", "key"))
    assert kinds == {
        (kind, document["key"])
        for kind, plural in (("entity", "entities"), ("form", "forms"), ("workflow", "workflows"))
        for document in bundle[plural]
    } | {("test", document["key"]) for document in bundle["tests"]}


def break_unknown_node_type(bundle: dict[str, Any]) -> None:
    node_of(bundle, "route")["type"] = "coin_toss"


def break_transition_target(bundle: dict[str, Any]) -> None:
    workflow_of(bundle)["transitions"][0]["to"] = "nowhere"


def break_form_field(bundle: dict[str, Any]) -> None:
    bundle["forms"][0]["steps"][0]["fields"].append({"field": "favourite_colour"})


def break_decision_default(bundle: dict[str, Any]) -> None:
    for transition in workflow_of(bundle)["transitions"]:
        transition.pop("default", None)


@pytest.mark.parametrize(
    ("breakage", "path", "words"),
    [
        (
            break_unknown_node_type,
            "workflows/field_report_flow/nodes/route",
            "unknown node type 'coin_toss'",
        ),
        (
            break_transition_target,
            "workflows/field_report_flow/transitions/0",
            "refers to node 'nowhere', which does not exist",
        ),
        (
            break_form_field,
            "forms/citizen_report/steps/problem/favourite_colour",
            "'favourite_colour' is not a field of entity 'field_report'",
        ),
        (
            break_decision_default,
            "workflows/field_report_flow/nodes/route",
            "'route' needs exactly one default branch (it has 0)",
        ),
    ],
    ids=["unknown-node-type", "missing-target", "form-field-not-in-entity", "no-default"],
)
def test_an_invalid_bundle_is_refused_with_its_finding_and_changes_nothing(
    demo, tmp_path, breakage, path, words
):
    file, bundle = export(tmp_path)
    bundle["app"]["label"]["en"] = "Changed too"  # would publish v2 if it were valid
    breakage(bundle)
    write(file, bundle)
    before = snapshot()

    with pytest.raises(CommandError) as refused:
        run("import_app", str(file))

    message = str(refused.value)
    assert f"{path}: " in message
    assert words in message
    assert snapshot() == before


def test_every_finding_of_an_invalid_bundle_is_listed_on_its_own_line(demo, tmp_path):
    file, bundle = export(tmp_path)
    break_form_field(bundle)
    bundle["forms"][0]["steps"][1]["fields"].append({"field": "shoe_size"})
    break_transition_target(bundle)
    write(file, bundle)
    before = snapshot()

    with pytest.raises(CommandError) as refused:
        run("import_app", str(file))

    lines = str(refused.value).splitlines()
    assert lines[0].startswith(f"{file}: ")
    findings = [line for line in lines if line.startswith("  - ")]
    assert len(findings) == 3
    assert any(
        line.startswith("  - forms/citizen_report/steps/problem/favourite_colour: ")
        for line in findings
    )
    assert any(
        line.startswith("  - forms/citizen_report/steps/place/shoe_size: ") for line in findings
    )
    assert any(
        line.startswith("  - workflows/field_report_flow/transitions/0: ") for line in findings
    )
    assert snapshot() == before


def test_a_bundle_of_an_unknown_format_version_is_refused(demo, tmp_path):
    file, bundle = export(tmp_path)
    bundle["format_version"] = 99

    with pytest.raises(CommandError, match="format_version: must be 1"):
        run("import_app", str(write(file, bundle)))


def test_invalid_json_is_refused_with_its_position(demo, tmp_path):
    file = tmp_path / "broken.json"
    file.write_text('{"format_version": 1,\n  "app": }', encoding="utf-8")
    before = snapshot()

    with pytest.raises(CommandError, match=r"broken\.json is not valid JSON: .*line 2, column 10"):
        run("import_app", str(file))

    assert snapshot() == before


def test_a_missing_file_is_refused(demo, tmp_path):
    with pytest.raises(CommandError, match="Cannot read .*absent.json: No such file"):
        run("import_app", str(tmp_path / "absent.json"))


def test_exporting_an_unknown_app_names_the_known_ones(demo):
    known = ", ".join(App.objects.order_by("key").values_list("key", flat=True))

    with pytest.raises(CommandError) as refused:
        run("export_app", "street_art")

    assert str(refused.value) == f"There is no app street_art. Known apps: {known}."
    assert "field_reports" in known


def test_exporting_a_version_that_was_never_published_is_refused(demo):
    with pytest.raises(CommandError, match="has no published version 7. Published: 1"):
        run("export_app", "field_reports", "--version", "7")


def test_version_and_draft_cannot_be_asked_for_together(demo):
    with pytest.raises(CommandError, match="not allowed with argument"):
        run("export_app", "field_reports", "--version", "1", "--draft")


def test_command_messages_follow_the_installation_language(demo, tmp_path):
    path, _bundle = export(tmp_path)
    out = StringIO()

    with translation.override("vi"):
        call_command("import_app", str(path), stdout=out)

    assert out.getvalue().strip() == "field_reports: v1 (không thay đổi)"
