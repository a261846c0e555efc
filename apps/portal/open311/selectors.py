"""Reads of the Open311 GeoReport v2 endpoint: the service catalogue and the public view of
service requests, as documents with the specification's field names (``rendering`` turns
them into XML or JSON).

Which forms are offered is each app's ``open311`` setting (in the bundle's ``app`` object,
read from the latest published version). A request is a record of an offered form; what is
shown of it is public by design: never the citizen's name, phone or email, never internal
events, never other answers of the form.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.builder.models import App, AppVersion
from apps.builder.selectors import latest_published, version_app_def, version_bundle
from apps.core.models import translated
from apps.records.models import Record
from apps.runtime.models import Event
from workflows.definition import EntityDef, FieldDef, FormDef, FormFieldDef, Label

from ..selectors import CLOSING_EVENTS, agency_options

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
#: Open311's standard arguments that an entity field may receive (``field_map``).
STANDARD_FIELDS = ("location", "description", "email", "first_name", "last_name", "phone")
#: Field types each standard argument may fill.
STANDARD_TYPES: dict[str, frozenset[str]] = {
    "location": frozenset({"location"}),
    "description": frozenset({"long_text", "text"}),
    "email": frozenset({"text"}),
    "first_name": frozenset({"text"}),
    "last_name": frozenset({"text"}),
    "phone": frozenset({"text"}),
}
#: Open311 datatypes of the entity's field types. Files cannot be sent as attributes
#: (Open311 only knows ``media_url``), so file and photo fields are not offered.
DATATYPES = {
    "text": "string",
    "long_text": "text",
    "number": "number",
    "date": "datetime",
    "choice": "singlevaluelist",
    "multi_choice": "multivaluelist",
    "boolean": "singlevaluelist",
    "agency": "singlevaluelist",
    "location": "string",
}
#: The default and the longest span of a search, and the most requests one answer holds.
DEFAULT_SPAN = timedelta(days=90)
MAX_RESULTS = 1000


@dataclass(frozen=True)
class Attribute:
    """A form field offered as ``attribute[code]``."""

    spec: FieldDef
    form_field: FormFieldDef

    @property
    def code(self) -> str:
        return self.spec.key

    @property
    def datatype(self) -> str:
        return DATATYPES[self.spec.type]

    @property
    def required(self) -> bool:
        required = self.form_field.required
        return self.spec.required if required is None else required


@dataclass(frozen=True)
class Service:
    """A published public form offered as an Open311 service."""

    code: str
    version: AppVersion
    form: FormDef
    entity: EntityDef
    group: Label | None
    keywords: tuple[str, ...]
    #: Standard argument -> the entity field that receives it.
    fields: dict[str, str]
    attributes: tuple[Attribute, ...]

    def attribute(self, code: str) -> Attribute | None:
        return next((a for a in self.attributes if a.code == code), None)

    def parameter_names(self) -> dict[str, str]:
        """Entity field -> how an Open311 client names it (for error messages)."""
        names: dict[str, list[str]] = {}
        for standard, key in self.fields.items():
            names.setdefault(key, []).append("lat, long" if standard == "location" else standard)
        result = {key: ", ".join(found) for key, found in names.items()}
        for attribute in self.attributes:
            result[attribute.code] = f"attribute[{attribute.code}]"
        return result


def _standard_fields(form: FormDef, entity: EntityDef, field_map: dict[str, str]) -> dict[str, str]:
    """Which fields receive the standard arguments: ``field_map`` when it names a field of
    the form of a fitting type; else, for the location and the description, the form's
    first location field and first long-text field. Personal fields only when mapped."""
    in_form = [ff.field for ff in form.form_fields()]

    def fits(key: str | None, standard: str) -> bool:
        spec = entity.field(key) if key else None
        return spec is not None and key in in_form and spec.type in STANDARD_TYPES[standard]

    fields: dict[str, str] = {}
    for standard in STANDARD_FIELDS:
        key = field_map.get(standard)
        if key and fits(key, standard):
            fields[standard] = key
    defaults = {"location": "location", "description": "long_text"}
    for standard, field_type in defaults.items():
        if standard not in fields:
            found = next(
                (k for k in in_form if (s := entity.field(k)) and s.type == field_type), None
            )
            if found:
                fields[standard] = found
    return fields


def _service(version: AppVersion, entry: dict[str, Any]) -> Service | None:
    app_def = version_app_def(version)
    form = app_def.forms.get(entry.get("form", ""))
    if form is None or form.audience != "public":
        return None
    entity = app_def.entities[form.entity]
    fields = _standard_fields(form, entity, entry.get("field_map") or {})
    mapped = set(fields.values())
    attributes = []
    for form_field in form.form_fields():
        spec = entity.field(form_field.field)
        if spec is None or spec.key in mapped or spec.type not in DATATYPES:
            continue
        attributes.append(Attribute(spec=spec, form_field=form_field))
    return Service(
        code=entry["code"],
        version=version,
        form=form,
        entity=entity,
        group=entry.get("group"),
        keywords=tuple(entry.get("keywords") or ()),
        fields=fields,
        attributes=tuple(attributes),
    )


def service_catalogue() -> dict[str, Service]:
    """Every offered service by code: the forms each app's latest published version lists
    in its ``open311`` setting, apps in key order. A code listed twice is offered once
    (the first); a form that is not public or not in the version is skipped."""
    catalogue: dict[str, Service] = {}
    for app in App.objects.order_by("key"):
        version = latest_published(app)
        if version is None:
            continue
        setting = version_bundle(version)["app"].get("open311") or {}
        for entry in setting.get("services") or []:
            if entry.get("code") in catalogue:
                continue
            service = _service(version, entry)
            if service is not None:
                catalogue[service.code] = service
    return catalogue


def service_by_code(code: str) -> Service | None:
    return service_catalogue().get(code)


# --------------------------------------------------------------------------- documents


def w3_datetime(value: datetime | None) -> str | None:
    """ISO 8601 as the W3C note has it, with the installation's offset (e.g. +07:00)."""
    if value is None:
        return None
    return timezone.localtime(value).replace(microsecond=0).isoformat()


def service_document(service: Service) -> dict[str, Any]:
    return {
        "service_code": service.code,
        "service_name": translated(service.form.label),
        "description": translated(service.form.description) or None,
        "metadata": bool(service.attributes),
        "type": "realtime",
        "keywords": ", ".join(service.keywords) or None,
        "group": translated(service.group) or None,
    }


def services_document() -> list[dict[str, Any]]:
    return [service_document(service) for service in service_catalogue().values()]


def _hint(spec: FieldDef) -> str:
    """What the value must look like, in the words the portal's own errors use."""
    config = spec.config
    hints: list[str] = []
    if spec.type in ("text", "long_text") and config.get("max_length"):
        hints.append(
            _("Enter at most %(max_length)s characters.") % {"max_length": config["max_length"]}
        )
    elif spec.type == "number":
        if config.get("integer"):
            hints.append(_("Enter a whole number."))
        if config.get("min") is not None:
            hints.append(_("Enter a number of at least %(min)s.") % {"min": config["min"]})
        if config.get("max") is not None:
            hints.append(_("Enter a number of at most %(max)s.") % {"max": config["max"]})
    elif spec.type == "date":
        hints.append(_("Enter a date as YYYY-MM-DD."))
    elif spec.type == "location":
        hints.append(_("Enter the latitude and the longitude, separated by a comma."))
    return " ".join(hints)


def _values(spec: FieldDef) -> list[dict[str, str]] | None:
    if spec.type in ("choice", "multi_choice"):
        return [{"key": o.value, "name": translated(o.label)} for o in spec.options]
    if spec.type == "boolean":
        return [{"key": "true", "name": _("Yes")}, {"key": "false", "name": _("No")}]
    if spec.type == "agency":
        return [
            {"key": code, "name": name}
            for code, name in agency_options(spec.config.get("agency_kind"))
        ]
    return None


def attribute_document(attribute: Attribute, order: int) -> dict[str, Any]:
    spec, form_field = attribute.spec, attribute.form_field
    help_text = translated(form_field.help or spec.help)
    description = " ".join(part for part in (help_text, _hint(spec)) if part)
    document: dict[str, Any] = {
        "variable": True,
        "code": attribute.code,
        "datatype": attribute.datatype,
        "required": attribute.required,
        "datatype_description": description or None,
        "order": order,
        "description": translated(form_field.label or spec.label),
    }
    values = _values(spec)
    if values is not None:
        document["values"] = values
    return document


def service_definition_document(service: Service) -> dict[str, Any]:
    return {
        "service_code": service.code,
        "attributes": [
            attribute_document(attribute, order)
            for order, attribute in enumerate(service.attributes, start=1)
        ],
    }


# --------------------------------------------------------------------------- requests


def _outcome_labels(records: list[Record]) -> dict[int, Label]:
    """For closed records: the label of the public event that closed them (what the
    citizen's status page shows as the outcome)."""
    closed = [r.pk for r in records if r.status == Record.Status.CLOSED]
    labels: dict[int, Label] = {}
    if not closed:
        return labels
    events = (
        Event.objects.filter(record_id__in=closed, kind__in=CLOSING_EVENTS, public=True)
        .order_by("at", "id")
        .values_list("record_id", "label")
    )
    for record_id, label in events:
        if label:
            labels[record_id] = label
    return labels


def _link(record: Record) -> Any:
    """The record's Open311Request, or None (the reverse one-to-one raises otherwise)."""
    return getattr(record, "open311", None)


def _media_url(record: Record) -> str | None:
    link = _link(record)
    return (link.media_url or None) if link is not None else None


def request_document(record: Record, service: Service, outcome: Label | None) -> dict[str, Any]:
    """The public view of one request. Only what Open311 defines and the city may publish:
    the description and the place the citizen reported, never their name or contacts."""
    closed = record.status == Record.Status.CLOSED
    location_key = service.fields.get("location")
    location = record.data.get(location_key) if location_key else None
    address = location.get("address") if isinstance(location, dict) else None
    description_key = service.fields.get("description")
    description = record.data.get(description_key) if description_key else None
    agency = record.current_agency
    return {
        "service_request_id": record.tracking_code,
        "status": "closed" if closed else "open",
        "status_notes": (translated(outcome) or None) if closed else None,
        "service_name": translated(service.form.label),
        "service_code": service.code,
        "description": description if isinstance(description, str) and description else None,
        "agency_responsible": agency.name if agency is not None and not closed else None,
        "service_notice": None,
        "requested_datetime": w3_datetime(record.created_at),
        "updated_datetime": w3_datetime(
            record.closed_at if closed and record.closed_at else record.updated_at
        ),
        "expected_datetime": w3_datetime(record.deadline),
        "address": address or None,
        "address_id": None,
        "zipcode": None,
        "lat": record.latitude,
        "long": record.longitude,
        "media_url": _media_url(record),
    }


@dataclass(frozen=True)
class RequestQuery:
    """A search of requests. ``ids`` overrides everything else (as the specification says)."""

    ids: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: tuple[str, ...] = ()


def date_range(
    start: datetime | None, end: datetime | None, *, now: datetime
) -> tuple[datetime, datetime]:
    """The search's range: the last 90 days by default; 90 days from a lone start or up to a
    lone end. A range over 90 days is refused by the edge before this is called."""
    if start is None and end is None:
        return now - DEFAULT_SPAN, now
    if start is None:
        assert end is not None
        return end - DEFAULT_SPAN, end
    if end is None:
        return start, start + DEFAULT_SPAN
    return start, end


def requests_document(query: RequestQuery, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """The requests of the offered services that match ``query``, newest first (at most
    1000)."""
    catalogue = service_catalogue()
    selected = [
        service
        for service in catalogue.values()
        if query.ids or not query.service_codes or service.code in query.service_codes
    ]
    if not selected:
        return []
    by_form: dict[tuple[int, str], Service] = {}
    offered = Q()
    for service in selected:
        by_form.setdefault((service.version.app_id, service.form.key), service)
        offered |= Q(app_id=service.version.app_id, form_key=service.form.key)
    records = Record.objects.filter(offered)
    if query.ids:
        records = records.filter(tracking_code__in=query.ids)
    else:
        start, end = date_range(query.start, query.end, now=now or timezone.now())
        records = records.filter(created_at__gte=start, created_at__lte=end)
        wanted = {"open": Record.Status.IN_PROGRESS, "closed": Record.Status.CLOSED}
        if query.statuses:
            records = records.filter(status__in=[wanted[s] for s in query.statuses])
    found = list(
        records.select_related("current_agency", "open311").order_by("-created_at", "-pk")[
            :MAX_RESULTS
        ]
    )
    outcomes = _outcome_labels(found)
    documents = []
    for record in found:
        service = by_form[(record.app_id, record.form_key)]
        link_code = getattr(_link(record), "service_code", None)
        if link_code in catalogue and catalogue[link_code].form.key == record.form_key:
            service = catalogue[link_code]
        documents.append(request_document(record, service, outcomes.get(record.pk)))
    return documents


# --------------------------------------------------------------------------- discovery


def discovery_document(*, url: str, contact: str, key_service: str, test: bool) -> dict[str, Any]:
    """The service discovery file: the changeset is the newest publication of an app (that
    is when services or their definitions may have changed)."""
    newest = (
        AppVersion.objects.filter(status=AppVersion.Status.PUBLISHED)
        .order_by("-published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    changeset = w3_datetime(newest) or ""
    return {
        "changeset": changeset,
        "contact": contact,
        "key_service": key_service,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": url,
                "changeset": changeset,
                "type": "test" if test else "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
