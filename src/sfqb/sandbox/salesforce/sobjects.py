"""HTTP shapes of the sObject resources: /sobjects/{type}/..., and /composite/sobjects."""

from __future__ import annotations

from typing import Any

from sfqb.sandbox.salesforce.errors import OrgError, not_found
from sfqb.sandbox.salesforce.faults import Faults
from sfqb.sandbox.salesforce.messages import Request, Response
from sfqb.sandbox.salesforce.org import MultipleMatches, Org, Record
from sfqb.sandbox.salesforce.values import to_json
from sfqb.sandbox.salesforce.writes import Writer


def _response(status: int, body: Any = None) -> Response:
    return Response(status, body)


class SObjectRoutes:
    """Single-record and collection endpoints over a `Writer`."""

    def __init__(self, org: Org, faults: Faults) -> None:
        self.org = org
        self.writer = Writer(org, faults)

    def create(self, sobject: str, request: Request) -> Response:
        """POST /sobjects/{type}."""
        body = _object_body(request)
        record_id = self.writer.create(sobject, body)
        return _response(201, {"id": record_id, "success": True, "errors": []})

    def by_id(self, sobject: str, record_id: str, request: Request, version: str) -> Response:
        """GET, PATCH or DELETE /sobjects/{type}/{id}."""
        method = request.method
        if method == "GET":
            record = self.org.get(sobject, record_id)
            return _response(200, self.shape(sobject, record, request.param("fields"), version))
        if method == "PATCH":
            self.writer.update(sobject, record_id, _object_body(request))
            return _response(204)
        if method == "DELETE":
            self.writer.delete(sobject, record_id)
            return _response(204)
        raise _not_allowed(method, "GET,PATCH,DELETE,HEAD")

    def by_external_id(
        self, sobject: str, field: str, value: str, request: Request, version: str
    ) -> Response:
        """GET, PATCH (upsert) or DELETE /sobjects/{type}/{externalIdField}/{value}."""
        obj = self.org.describe(sobject)
        fdef = obj.field(field)
        if fdef is None or not (fdef.external_id or fdef.name == "Id"):
            raise not_found(
                f"Provided external ID field does not exist or is not accessible: {field}"
            )
        method = request.method
        if method == "PATCH":
            if request.param("updateOnly") == "true" and not self.org.match(
                obj.name, fdef.name, value
            ):
                raise not_found()
            try:
                record_id, created = self.writer.upsert(
                    obj.name, fdef.name, value, _object_body(request)
                )
            except MultipleMatches as exc:
                return _response(300, [_url(version, obj.name, i) for i in exc.ids])
            return _response(
                201 if created else 200,
                {"id": record_id, "success": True, "errors": [], "created": created},
            )
        if method not in ("GET", "DELETE"):
            raise _not_allowed(method, "GET,PATCH,DELETE,HEAD")
        matches = self.org.match(obj.name, fdef.name, value)
        if len(matches) > 1:
            return _response(300, [_url(version, obj.name, i) for i in matches])
        if not matches:
            raise not_found()
        if method == "DELETE":
            self.writer.delete(obj.name, matches[0])
            return _response(204)
        record = self.org.get(obj.name, matches[0])
        return _response(200, self.shape(obj.name, record, request.param("fields"), version))

    def composite(self, method: str, request: Request, parts: list[str]) -> Response:
        """/composite/sobjects (POST, PATCH, DELETE) and /composite/sobjects/{type}/{field}."""
        if len(parts) == 2:
            if method != "PATCH":
                raise _not_allowed(method, "PATCH")
            body = request.json()
            return _response(200, self.writer.collection_upsert(parts[0], parts[1], body))
        if parts:
            raise not_found()
        if method == "DELETE":
            ids = [i for i in (request.param("ids") or "").split(",") if i]
            if not ids:
                raise OrgError("MISSING_ARGUMENT", "Missing parameter: ids")
            all_or_none = (request.param("allOrNone") or "false").lower() == "true"
            return _response(200, self.writer.collection("DELETE", None, ids, all_or_none))
        if method not in ("POST", "PATCH"):
            raise _not_allowed(method, "POST,PATCH,DELETE")
        return _response(200, self.writer.collection(method, request.json(), [], False))

    def shape(
        self, sobject: str, record: Record, fields: str | None, version: str
    ) -> dict[str, Any]:
        """A record as GET /sobjects returns it (all fields, or those in ?fields=)."""
        obj = self.org.describe(sobject)
        names = [f.name for f in obj.visible]
        if fields:
            names = []
            for name in fields.split(","):
                fdef = obj.field(name.strip())
                if fdef is None:
                    raise OrgError(
                        "INVALID_FIELD", f"No such column '{name.strip()}' on entity '{obj.name}'"
                    )
                names.append(fdef.name)
        out: dict[str, Any] = {
            "attributes": {"type": obj.name, "url": _url(version, obj.name, record["Id"])}
        }
        out.update({name: to_json(record.get(name)) for name in names})
        return out


def _url(version: str, sobject: str, record_id: str) -> str:
    return f"/services/data/v{version}/sobjects/{sobject}/{record_id}"


def _object_body(request: Request) -> dict[str, Any]:
    body = request.json()
    if not isinstance(body, dict):
        raise OrgError("JSON_PARSER_ERROR", "The request body must be a JSON object")
    return body


def _not_allowed(method: str, allowed: str) -> OrgError:
    return OrgError(
        "METHOD_NOT_ALLOWED",
        f"HTTP Method '{method}' not allowed. Allowed are {allowed}",
        status=405,
    )
