"""The directory as Open Referral HSDS 3.0 JSON: each entry an organization with one
service at one location, its weekly schedule, languages, phone and service area.

Ids are UUIDs derived from the entry's id (the same export twice gives the same ids).
HSDS has no translations: descriptions are Dutch (else English); `alternate_name` is the
name in Dutch where it differs. `last_checked` and `source` are the service's metadata.
"""

from __future__ import annotations

import json
import uuid
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from bot.core.directory.hours import typical_week
from bot.core.directory.schema import EntryRow
from bot.core.municipalities import all_municipalities

NAMESPACE = uuid.UUID("6f1d3c1e-8f0a-4c55-9a4e-2b7f2f0e9d11")  # Wegwijs directory exports
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
SCHEMAS = ("organization", "service", "location", "service_at_location", "schedule",
           "language", "phone", "address", "service_area", "metadata")
Json = dict[str, Any]


def _id(row: EntryRow, part: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{row.id}/{part}"))


def export(rows: list[EntryRow]) -> list[Json]:
    """Organizations, each with its one service and location."""
    return [organization(row) for row in rows]


def organization(row: EntryRow) -> Json:
    """One entry as an HSDS organization."""
    found: Json = {"id": _id(row, "organization"), "name": row.name,
                   "description": row.description("nl") or row.name,
                   "services": [service(row)]}
    if row.name_nl and row.name_nl != row.name:
        found["alternate_name"] = row.name_nl
    found |= {k: v for k, v in (("email", row.email), ("website", row.website)) if v}
    place = location(row)
    if place is not None:
        found["locations"] = [place]
    return found


def service(row: EntryRow) -> Json:
    """The help the entry gives, where and when."""
    service_id = _id(row, "service")
    found: Json = {
        "id": service_id, "organization_id": _id(row, "organization"), "name": row.name,
        "description": row.description("nl") or row.name,
        "status": "temporarily closed" if row.temporarily_closed else "active",
        "schedules": schedules(row, service_id),
        "service_areas": [_area(row, code, service_id) for code in row.municipalities],
        "languages": [{"id": _id(row, f"language/{code}"), "service_id": service_id,
                       "code": code} for code in row.languages],
        "metadata": [{"id": _id(row, "metadata/checked"), "resource_id": service_id,
                      "resource_type": "service",
                      "last_action_date": row.last_checked.isoformat(),
                      "last_action_type": "verified", "field_name": "", "previous_value": "",
                      "replacement_value": "", "updated_by": row.source}],
    }
    if row.appointment_only:
        found["application_process"] = "By appointment only"
    found |= {k: v for k, v in (("email", row.email), ("url", row.website)) if v}
    if row.phone:
        found["phones"] = [{"id": _id(row, "phone"), "service_id": service_id,
                            "number": row.phone, "type": "voice"}]
    place = location(row)
    if place is not None:
        found["service_at_locations"] = [{"id": _id(row, "service_at_location"),
                                          "service_id": service_id,
                                          "location_id": place["id"], "location": place}]
    return found


def _area(row: EntryRow, code: str, service_id: str) -> Json:
    town = all_municipalities().get(code)
    return {"id": _id(row, f"area/{code}"), "service_id": service_id,
            "name": town.name if town else "Nederland", "extent_type": "text",
            "extent": code, "description": "CBS municipality code" if town else "national"}


def schedules(row: EntryRow, service_id: str) -> list[Json]:
    """One weekly rule per day and opening span (the OpenStreetMap text in `notes`)."""
    if row.opening_hours is None:
        return []
    attending = "By appointment only" if row.appointment_only else "In person"
    found = []
    for index, (day, opens, closes) in enumerate(typical_week(row.opening_hours)):
        found.append({"id": _id(row, f"schedule/{index}"), "service_id": service_id,
                      "freq": "WEEKLY", "wkst": "MO", "byday": DAYS[day],
                      "opens_at": opens.strftime("%H:%M"),
                      "closes_at": closes.strftime("%H:%M") if closes else "24:00",
                      "attending_type": attending, "notes": row.opening_hours})
    return found


def location(row: EntryRow) -> Json | None:
    """The physical place, where the entry has an address or coordinates."""
    if row.address is None and row.latitude is None:
        return None
    place: Json = {"id": _id(row, "location"), "location_type": "physical",
                   "organization_id": _id(row, "organization"), "name": row.name}
    if row.latitude is not None and row.longitude is not None:
        place |= {"latitude": row.latitude, "longitude": row.longitude}
    if row.address and row.city and row.postcode:
        town = next((m for m in all_municipalities().values() if m.name == row.city), None)
        province = town.province if town else _province(row)
        place["addresses"] = [{"id": _id(row, "address"), "location_id": place["id"],
                               "address_1": row.address, "city": row.city,
                               "state_province": province, "postal_code": row.postcode,
                               "country": "NL", "address_type": "physical"}]
    return place


def _province(row: EntryRow) -> str:
    """The province of the entry's first municipality (a town that is no municipality)."""
    town = all_municipalities().get(row.municipalities[0])
    return town.province if town else ""


@cache
def validator(name: str = "organization") -> Draft202012Validator:
    """A validator for one HSDS object, with the shipped schemas resolving each other."""
    folder = resources.files("bot.data").joinpath("hsds")
    documents = {n: json.loads(folder.joinpath(f"{n}.json").read_text(encoding="utf-8"))
                 for n in SCHEMAS}
    registry: Registry[Any] = Registry().with_resources(
        (document["$id"], Resource.from_contents(document)) for document in documents.values())
    return Draft202012Validator(documents[name], registry=registry,
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


def problems(exported: list[Json]) -> list[str]:
    """Every way the export breaks the schemas (none, we hope), with where."""
    check = validator()
    return [f"organization {index}: {'/'.join(map(str, error.path))}: {error.message}"
            for index, item in enumerate(exported) for error in check.iter_errors(item)]
