"""A published form as the portal draws it, and a browser's POST back as raw answers.

``form_view`` turns a FormDef + EntityDef (+ the answers so far and their errors) into
plain view objects the templates draw: one :class:`StepView` per step, one
:class:`FieldView` per field. The page shows every step today; a multi-step wizard only
has to choose which steps to draw (and which answers to carry in hidden inputs).

``raw_from_post`` and ``uploads_from_files`` read a submitted HTML form into what
``apps.records.services.record_submit`` takes; the server validates everything again.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from apps.core.models import translated
from workflows.definition import EntityDef, FieldDef, FormDef, FormFieldDef
from workflows.forms import IMAGE_TYPES, field_of_error

FILE_TYPES = frozenset({"file", "photo"})
LOCATION_PARTS = ("lat", "lng", "address")
#: Widgets drawn as a <fieldset> with a <legend> instead of one <label>.
GROUP_WIDGETS = frozenset({"radio", "checkboxes", "location"})
#: A name the form never uses: bots fill it in, people never see it.
HONEYPOT = "website"
#: Buttons of a ``group`` field: add an empty row (value: the group's key) and remove one
#: (value: ``<group>-<index>``). Without JavaScript they re-draw the page, keeping answers.
ADD_ROW = "_add_row"
REMOVE_ROW = "_remove_row"
#: Row indexes a browser may post (``co_applicants.12.full_name``); larger ones are ignored.
ROW_INDEX_RE = re.compile(r"^(\d{1,4})$")
MAX_FILE_NAME = 120

#: ``agency_options(kind)`` -> [(code, name)] of the active agencies of that kind.
AgencyOptions = Callable[[str | None], list[tuple[str, str]]]


@dataclass(frozen=True)
class OptionView:
    value: str
    label: str
    id: str
    selected: bool


@dataclass
class FieldView:
    key: str
    type: str
    widget: str
    label: str
    help: str
    required: bool
    input_id: str
    value: Any = ""
    errors: list[str] = field(default_factory=list)
    options: list[OptionView] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)
    visible_if: str | None = None
    required_if: str | None = None
    #: What the portal adds to the definition's help, e.g. how many files fit.
    hint: str = ""
    #: A ``group`` field: its rows, a blank row for the browser to copy, its row limits.
    rows: list[GroupRowView] = field(default_factory=list)
    template_row: GroupRowView | None = None
    min_items: int = 0
    max_items: int = 0
    #: A sub-field of a group row (drawn with ``data-subfield``, not ``data-field``).
    in_group: bool = False

    @property
    def template(self) -> str:
        return f"portal/fields/{self.widget}.html"

    @property
    def can_add(self) -> bool:
        return self.widget == "group" and len(self.rows) < self.max_items

    @property
    def is_group(self) -> bool:
        return self.widget in GROUP_WIDGETS

    @property
    def anchor_id(self) -> str:
        """The element the error summary links to: the first input of the field."""
        if self.widget == "group":
            return self.rows[0].fields[0].anchor_id if self.rows else self.input_id
        if self.widget == "location":
            return f"{self.input_id}-lat"
        if self.widget in {"radio", "checkboxes"} and self.options:
            return self.options[0].id
        return self.input_id

    @property
    def help_id(self) -> str:
        return f"{self.input_id}-help"

    @property
    def error_id(self) -> str:
        return f"{self.input_id}-error"

    @property
    def describedby(self) -> str:
        ids = [self.help_id] if self.help or self.hint else []
        if self.errors:
            ids.append(self.error_id)
        return " ".join(ids)


@dataclass
class GroupRowView:
    """One row of a group: its position (as posted), its spoken label, its inputs."""

    index: str
    label: str
    fields: list[FieldView]
    #: ``_remove_row`` value of the row's remove button.
    remove_value: str


@dataclass(frozen=True)
class StepView:
    key: str
    label: str
    fields: list[FieldView]


@dataclass(frozen=True)
class SummaryItem:
    anchor_id: str
    label: str
    message: str


@dataclass(frozen=True)
class FormView:
    key: str
    label: str
    description: str
    steps: list[StepView]
    summary: list[SummaryItem]
    #: Messages not tied to one field (e.g. the workflow refused the case).
    general_errors: list[str]

    @property
    def has_files(self) -> bool:
        return any(f.widget == "file" for step in self.steps for f in step.fields)


def widget_for(spec: FieldDef, form_field: FormFieldDef) -> str:
    """The template that draws a field: the field's type, refined by the form's widget."""
    widget = form_field.widget
    if spec.type == "text":
        return "textarea" if widget == "textarea" else "text"
    if spec.type == "long_text":
        return "text" if widget == "input" else "textarea"
    if spec.type in {"choice", "agency"}:
        return "radio" if widget == "radio" else "select"
    if spec.type == "multi_choice":
        return "checkboxes"
    if spec.type == "boolean":
        return "checkbox"
    if spec.type in FILE_TYPES:
        return "file"
    return spec.type  # number, date, location, group


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _attrs(spec: FieldDef, widget: str) -> dict[str, str]:
    config = spec.config
    attrs: dict[str, str] = {}
    if widget in {"text", "textarea"}:
        default_max = 5000 if spec.type == "long_text" else 500
        attrs["maxlength"] = str(config.get("max_length", default_max))
        if config.get("min_length"):
            attrs["minlength"] = str(config["min_length"])
        # Phones show the right keyboard; the type stays text (the server decides).
        if spec.key.endswith("phone"):
            attrs.update(inputmode="tel", autocomplete="tel")
        elif spec.key.endswith("email"):
            attrs.update(inputmode="email", autocomplete="email", spellcheck="false")
    elif widget == "number":
        for name in ("min", "max"):
            if config.get(name) is not None:
                attrs[name] = _number(config[name])
        attrs["step"] = "1" if config.get("integer") else "any"
        attrs["inputmode"] = "numeric" if config.get("integer") else "decimal"
    elif widget == "file":
        accept = config.get("accept") or (list(IMAGE_TYPES) if spec.type == "photo" else [])
        if accept:
            attrs["accept"] = ",".join(accept)
        if int(config.get("max_files", 1)) > 1:
            attrs["multiple"] = ""
    return attrs


def _hint(spec: FieldDef, widget: str) -> str:
    if widget != "file":
        return ""
    max_files = int(spec.config.get("max_files", 1))
    size = _number(float(spec.config.get("max_size_mb", 10)))
    if max_files > 1:
        return _("Up to %(count)s files, at most %(size)s MB each.") % {
            "count": max_files,
            "size": size,
        }
    return _("One file of at most %(size)s MB.") % {"size": size}


def _rule(rule: Any) -> str | None:
    return None if rule is None else json.dumps(rule, ensure_ascii=False, separators=(",", ":"))


def _options(
    spec: FieldDef, input_id: str, value: Any, agency_options: AgencyOptions
) -> list[OptionView]:
    if spec.type == "agency":
        choices = agency_options(spec.config.get("agency_kind"))
    else:
        choices = [(option.value, translated(option.label)) for option in spec.options]
    chosen = set(value) if isinstance(value, list) else {value}
    return [
        OptionView(value=code, label=label, id=f"{input_id}-{index}", selected=code in chosen)
        for index, (code, label) in enumerate(choices)
    ]


def _display_value(spec: FieldDef, value: Any) -> Any:
    """What an input shows again after a refused submission (files are never kept)."""
    if spec.type in FILE_TYPES:
        return ""
    if spec.type == "multi_choice":
        return [str(v) for v in value] if isinstance(value, list) else []
    if spec.type == "location":
        parts = value if isinstance(value, Mapping) else {}
        return {part: str(parts.get(part) or "") for part in LOCATION_PARTS}
    if spec.type == "boolean":
        return str(value).strip().lower() in {"true", "on", "1", "yes"}
    return "" if value is None else str(value)


def row_label(spec: FieldDef, number: int | str) -> str:
    """How a row of a group is named to the citizen: "Co-applicant 2"."""
    item = translated(spec.config.get("item_label"))
    if item:
        return _("%(item)s %(number)s") % {"item": item, "number": number}
    return _("%(group)s, row %(number)s") % {"group": translated(spec.label), "number": number}


def _sub_view(
    group: FieldDef,
    sub: FieldDef,
    index: str,
    value: Any,
    errors: list[str],
    agency_options: AgencyOptions,
) -> FieldView:
    view = field_view(
        sub, FormFieldDef(field=sub.key), value=value, errors=errors, agency_options=agency_options
    )
    view.key = f"{group.key}.{index}.{sub.key}"
    view.input_id = f"f-{group.key}-{index}-{sub.key}"
    view.in_group = True
    view.options = [
        OptionView(value=o.value, label=o.label, id=f"{view.input_id}-{n}", selected=o.selected)
        for n, o in enumerate(view.options)
    ]
    return view


def _group_row(
    spec: FieldDef,
    index: str,
    number: int | str,
    row: Mapping[str, Any],
    errors: Mapping[str, list[str]],
    agency_options: AgencyOptions,
) -> GroupRowView:
    fields = [
        _sub_view(
            spec,
            sub,
            index,
            row.get(sub.key),
            list(errors.get(f"{spec.key}.{index}.{sub.key}", [])),
            agency_options,
        )
        for sub in spec.fields
    ]
    return GroupRowView(
        index=index,
        label=row_label(spec, number),
        fields=fields,
        remove_value=f"{spec.key}-{index}",
    )


def _group_rows(
    spec: FieldDef, value: Any, errors: Mapping[str, list[str]], agency_options: AgencyOptions
) -> list[GroupRowView]:
    """The rows drawn: those given, then blank ones up to ``max(given + 1, min_items, 1)``
    (never more than ``max_items`` unless more were given)."""
    given = [row if isinstance(row, Mapping) else {} for row in value or []]
    if not isinstance(value, list):
        given = []
    count = max(len(given), min(max(len(given) + 1, spec.min_items, 1), spec.max_items))
    rows = given + [{} for _ in range(count - len(given))]
    return [
        _group_row(spec, str(index), index + 1, row, errors, agency_options)
        for index, row in enumerate(rows)
    ]


def field_view(
    spec: FieldDef,
    form_field: FormFieldDef,
    *,
    value: Any,
    errors: list[str],
    agency_options: AgencyOptions,
    row_errors: Mapping[str, list[str]] | None = None,
) -> FieldView:
    """One field as drawn; ``row_errors`` (a group's): messages keyed ``<key>.<row>.<sub>``."""
    widget = widget_for(spec, form_field)
    input_id = f"f-{spec.key}"
    if spec.type == "group":
        required = form_field.required if form_field.required is not None else spec.required
        return FieldView(
            key=spec.key,
            type=spec.type,
            widget=widget,
            label=translated(form_field.label or spec.label),
            help=translated(form_field.help or spec.help),
            required=bool(required),
            input_id=input_id,
            value=value if isinstance(value, list) else [],
            errors=list(errors),
            visible_if=_rule(form_field.visible_if),
            required_if=_rule(form_field.required_if),
            rows=_group_rows(spec, value, row_errors or {}, agency_options),
            template_row=_group_row(spec, "__index__", "__number__", {}, {}, agency_options),
            min_items=spec.min_items,
            max_items=spec.max_items,
        )
    shown = _display_value(spec, value)
    required = form_field.required if form_field.required is not None else spec.required
    return FieldView(
        key=spec.key,
        type=spec.type,
        widget=widget,
        label=translated(form_field.label or spec.label),
        help=translated(form_field.help or spec.help),
        required=bool(required),
        input_id=input_id,
        value=shown,
        errors=list(errors),
        options=_options(spec, input_id, shown, agency_options)
        if widget in {"radio", "select", "checkboxes"}
        else [],
        attrs=_attrs(spec, widget),
        visible_if=_rule(form_field.visible_if),
        required_if=_rule(form_field.required_if),
        hint=_hint(spec, widget),
    )


def form_view(
    form: FormDef,
    entity: EntityDef,
    *,
    values: Mapping[str, Any] | None = None,
    errors: Mapping[str, list[str]] | None = None,
    general_errors: list[str] | None = None,
    agency_options: AgencyOptions,
    reattach: Collection[str] = (),
) -> FormView:
    """The form as drawn; ``reattach`` names file fields whose uploads were not kept."""
    values = values or {}
    errors = errors or {}
    steps: list[StepView] = []
    summary: list[SummaryItem] = []
    known: set[str] = set()
    for step in form.steps:
        fields: list[FieldView] = []
        for form_field in step.fields:
            spec = entity.field(form_field.field)
            if spec is None:  # refused at publish; never drawn
                continue
            known.add(spec.key)
            view = field_view(
                spec,
                form_field,
                value=values.get(spec.key),
                errors=errors.get(spec.key, []),
                agency_options=agency_options,
                row_errors=errors,
            )
            if spec.key in reattach:
                view.hint = " ".join(
                    [view.hint, _("The files you chose were not kept: choose them again.")]
                ).strip()
            fields.append(view)
            summary.extend(SummaryItem(view.anchor_id, view.label, m) for m in view.errors)
            for row in view.rows:
                for sub in row.fields:
                    label = f"{row.label}: {sub.label}"
                    summary.extend(SummaryItem(sub.anchor_id, label, m) for m in sub.errors)
        steps.append(StepView(key=step.key, label=translated(step.label), fields=fields))
    others = [
        m for key, messages in errors.items() if field_of_error(key) not in known for m in messages
    ]
    return FormView(
        key=form.key,
        label=translated(form.label),
        description=translated(form.description),
        steps=steps,
        summary=summary,
        general_errors=[*(general_errors or []), *others],
    )


def raw_from_post(form: FormDef, entity: EntityDef, post: QueryDict) -> dict[str, Any]:
    """The answers of a submitted HTML form, keyed by field, as ``record_submit`` takes them.

    Only the form's own fields are read; files come from :func:`uploads_from_files`.
    """
    raw: dict[str, Any] = {}
    for form_field in form.form_fields():
        spec = entity.field(form_field.field)
        if spec is None or spec.type in FILE_TYPES:
            continue
        key = spec.key
        if spec.type == "multi_choice":
            raw[key] = post.getlist(key)
        elif spec.type == "group":
            raw[key] = [row for _index, row in posted_rows(spec, post) if not _blank_row(spec, row)]
        elif spec.type == "location":
            raw[key] = {part: post.get(f"{key}.{part}", "") for part in LOCATION_PARTS}
        elif key in post:
            raw[key] = post.get(key)
    return raw


def posted_rows(spec: FieldDef, post: QueryDict) -> list[tuple[int, dict[str, Any]]]:
    """Every row of group ``spec`` in ``post`` (blank ones too), as (index, answers),
    in the order of their index. Inputs are named ``<group>.<index>.<sub-field>``."""
    found: dict[int, dict[str, Any]] = {}
    prefix = f"{spec.key}."
    subs = {sub.key: sub for sub in spec.fields}
    for name in post:
        if not name.startswith(prefix):
            continue
        index_text, _dot, sub_key = name[len(prefix) :].partition(".")
        sub = subs.get(sub_key)
        if sub is None or not ROW_INDEX_RE.match(index_text):
            continue
        row = found.setdefault(int(index_text), {})
        row[sub_key] = post.getlist(name) if sub.type == "multi_choice" else post.get(name)
    return sorted(found.items())


def _blank_row(spec: FieldDef, row: Mapping[str, Any]) -> bool:
    for value in row.values():
        if isinstance(value, list) and value:
            return False
        if isinstance(value, str) and value.strip():
            return False
    return True


def row_action(form: FormDef, entity: EntityDef, post: QueryDict) -> dict[str, Any] | None:
    """The answers to draw again when ``post`` came from a group's "add another" or
    "remove" button (None otherwise). Adding puts an empty row after the given ones;
    removing drops the row named ``<group>-<index>``. Nothing is validated or kept."""
    adding = post.get(ADD_ROW)
    removing = post.get(REMOVE_ROW)
    if adding is None and removing is None:
        return None
    raw = raw_from_post(form, entity, post)
    for form_field in form.form_fields():
        spec = entity.field(form_field.field)
        if spec is None or spec.type != "group":
            continue
        if adding == spec.key and len(raw.get(spec.key, [])) < spec.max_items:
            raw[spec.key] = [*raw.get(spec.key, []), {}]
        if removing and removing.startswith(f"{spec.key}-"):
            gone = removing[len(spec.key) + 1 :]
            raw[spec.key] = [
                row
                for index, row in posted_rows(spec, post)
                if str(index) != gone and not _blank_row(spec, row)
            ]
    return raw


def group_summary(spec: FieldDef, rows: list[Any], display: Callable[[Any, Any], str]) -> str:
    """A group's rows as one line of text: "Co-applicant 1: Name: A, Relation: Spouse; ..."
    (``display(sub_field, value)`` shows one answer)."""
    parts = []
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, Mapping):
            continue
        answers = [
            f"{translated(sub.label)}: {display(sub, row[sub.key])}"
            for sub in spec.fields
            if row.get(sub.key) not in (None, "", [])
        ]
        parts.append(f"{row_label(spec, number)}: {', '.join(answers)}")
    return "; ".join(parts)


def safe_file_name(name: str | None) -> str:
    """A file name fit to store and show: no path, no odd characters, not too long."""
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    try:
        clean = get_valid_filename(base)
    except SuspiciousFileOperation:
        clean = ""
    stem, ext = os.path.splitext(clean)
    if len(clean) > MAX_FILE_NAME:
        clean = stem[: MAX_FILE_NAME - len(ext[:10])] + ext[:10]
    return clean.lstrip(".") or "upload"


def uploads_from_files(
    form: FormDef, entity: EntityDef, files: MultiValueDict[str, UploadedFile]
) -> dict[str, list[UploadedFile]]:
    """The uploads of the form's file and photo fields (other files are ignored)."""
    uploads: dict[str, list[UploadedFile]] = {}
    for form_field in form.form_fields():
        spec = entity.field(form_field.field)
        if spec is None or spec.type not in FILE_TYPES:
            continue
        chosen = [upload for upload in files.getlist(spec.key) if upload.name or upload.size]
        for upload in chosen:
            upload.name = safe_file_name(upload.name)
        if chosen:
            uploads[spec.key] = chosen
    return uploads


def max_upload_bytes(form: FormDef, entity: EntityDef) -> int:
    """The largest body a submission of ``form`` may have: every file at its limit."""
    total = 0
    for form_field in form.form_fields():
        spec = entity.field(form_field.field)
        if spec is not None and spec.type in FILE_TYPES:
            per_file = float(spec.config.get("max_size_mb", 10)) * 1024 * 1024
            total += int(per_file * int(spec.config.get("max_files", 1)))
    return total
