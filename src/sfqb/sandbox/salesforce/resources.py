"""Read-only resource bodies: API versions, the resource map, /limits and describe."""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

from sfqb.sandbox.salesforce.schema import FieldDef, ObjectDef, Schema

_SEASONS = ("Spring", "Summer", "Winter")


def load_api_settings() -> dict[str, Any]:
    """data/api.yaml: supported versions and static limits."""
    text = resources.files("sfqb.sandbox.salesforce").joinpath("data/api.yaml")
    loaded: dict[str, Any] = yaml.safe_load(text.read_text(encoding="utf-8"))
    return loaded


def supported_versions(settings: dict[str, Any]) -> list[str]:
    """Every served version, oldest first, as "59.0"."""
    bounds = settings["versions"]
    return [f"{n}.0" for n in range(bounds["min"], bounds["max"] + 1)]


def versions_body(settings: dict[str, Any]) -> list[dict[str, str]]:
    """GET /services/data/: one entry per version with its release label."""
    out = []
    for version in supported_versions(settings):
        number = int(float(version))
        # v60 is Spring '24; each later release moves one season on.
        season = _SEASONS[(number - 60) % 3]
        year = 24 + (number - 59) // 3
        out.append(
            {
                "label": f"{season} '{year:02d}",
                "url": f"/services/data/v{version}",
                "version": version,
            }
        )
    return out


def resource_map(version: str) -> dict[str, str]:
    """GET /services/data/vXX.X/: the resources this sandbox serves."""
    base = f"/services/data/v{version}"
    names = ("sobjects", "query", "queryAll", "limits", "composite")
    return {name: f"{base}/{name}" for name in names}


def limits_body(settings: dict[str, Any], used: int, maximum: int) -> dict[str, Any]:
    """GET /limits with DailyApiRequests reflecting the calls made so far."""
    body: dict[str, Any] = {
        "DailyApiRequests": {"Max": maximum, "Remaining": max(0, maximum - used)}
    }
    body.update({k: dict(v) for k, v in settings["limits"].items()})
    return body


def global_describe(schema: Schema, version: str) -> dict[str, Any]:
    """GET /sobjects."""
    return {
        "encoding": "UTF-8",
        "maxBatchSize": 200,
        "sobjects": [_summary(o, version) for o in schema.objects.values()],
    }


def sobject_info(obj: ObjectDef, version: str) -> dict[str, Any]:
    """GET /sobjects/{type}: the summary and (always empty) recent items."""
    return {"objectDescribe": _summary(obj, version), "recentItems": []}


def describe(obj: ObjectDef, version: str) -> dict[str, Any]:
    """GET /sobjects/{type}/describe: the summary plus fields and child relationships."""
    body = _summary(obj, version)
    body["fields"] = [_field(f) for f in obj.visible]
    body["childRelationships"] = [
        {
            "childSObject": rel.child,
            "field": rel.field,
            "relationshipName": rel.name,
            "cascadeDelete": rel.cascade,
        }
        for rel in obj.children.values()
    ]
    return body


def _summary(obj: ObjectDef, version: str) -> dict[str, Any]:
    base = f"/services/data/v{version}/sobjects/{obj.name}"
    return {
        "name": obj.name,
        "label": obj.label,
        "keyPrefix": obj.prefix,
        "custom": obj.name.endswith("__c"),
        "createable": True,
        "updateable": True,
        "deletable": True,
        "queryable": True,
        "urls": {"sobject": base, "describe": f"{base}/describe", "rowTemplate": f"{base}/{{ID}}"},
    }


def _field(fdef: FieldDef) -> dict[str, Any]:
    kind = "string" if fdef.type == "string" else fdef.type
    return {
        "name": fdef.name,
        "label": fdef.name.removesuffix("__c").replace("_", " "),
        "type": kind,
        "length": fdef.length or (32768 if fdef.type == "textarea" else 0),
        "custom": fdef.custom,
        "externalId": fdef.external_id,
        "unique": fdef.unique,
        "idLookup": fdef.external_id or fdef.name == "Id",
        "nillable": not fdef.required and fdef.type != "boolean",
        "createable": fdef.writable,
        "updateable": fdef.writable,
        "referenceTo": [fdef.reference_to] if fdef.reference_to else [],
        "relationshipName": fdef.name[:-2]
        if fdef.reference_to and fdef.name.endswith("Id")
        else None,
    }
