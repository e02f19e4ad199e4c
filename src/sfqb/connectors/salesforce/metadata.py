"""A deployable Salesforce project (source format + package.xml) for sfqb's custom fields."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lxml import etree

from sfqb.connectors.salesforce.custom_fields import CustomFieldSpec

NAMESPACE = "http://soap.sforce.com/2006/04/metadata"
PERMISSION_SET = "SFQB_Integration"
SOURCE_ROOT = Path("force-app") / "main" / "default"

README = """\
sfqb custom fields for Salesforce
=================================

This directory is a Salesforce DX project holding the custom fields sfqb needs and a
permission set ({permission_set}) that lets a user read and edit them.

Deploy it with the Salesforce CLI, from this directory:

    sf project deploy start --manifest package.xml --target-org YOUR_ORG_ALIAS

then assign the permission set to the user sfqb logs in as:

    sf org assign permset --name {permission_set} --target-org YOUR_ORG_ALIAS

Fields ({count}):
{fields}
"""


def _element(
    parent: etree._Element, tag: str, text: str | int | bool | None = None
) -> etree._Element:
    child = etree.SubElement(parent, f"{{{NAMESPACE}}}{tag}")
    if text is not None:
        child.text = str(text).lower() if isinstance(text, bool) else str(text)
    return child


def _root(tag: str) -> etree._Element:
    # The metadata namespace as the default namespace, as Salesforce writes these files.
    nsmap: Any = {None: NAMESPACE}
    return etree.Element(f"{{{NAMESPACE}}}{tag}", nsmap=nsmap)


def _document(root: etree._Element) -> bytes:
    etree.indent(root, space="    ")
    body = etree.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode("utf-8")


def field_xml(spec: CustomFieldSpec) -> bytes:
    """The CustomField metadata of one field (elements in alphabetical order, as retrieved)."""
    root = _root("CustomField")
    _element(root, "fullName", spec.name)
    if spec.type == "Text":
        _element(root, "caseSensitive", False)
    if spec.description:
        _element(root, "description", spec.description)
    if spec.type == "Text":
        _element(root, "externalId", spec.external_id)
    _element(root, "label", spec.label)
    if spec.type in ("Text", "LongTextArea"):
        _element(root, "length", spec.length)
    if spec.type == "Currency":
        _element(root, "precision", spec.precision)
    _element(root, "required", False)
    if spec.type == "Currency":
        _element(root, "scale", spec.scale)
    _element(root, "trackTrending", False)
    _element(root, "type", spec.type)
    if spec.type == "Text":
        _element(root, "unique", spec.unique)
    if spec.type == "Picklist":
        value_set = _element(root, "valueSet")
        _element(value_set, "restricted", True)
        definition = _element(value_set, "valueSetDefinition")
        _element(definition, "sorted", False)
        for value in spec.values:
            item = _element(definition, "value")
            _element(item, "fullName", value)
            _element(item, "default", False)
            _element(item, "label", value)
    if spec.type == "LongTextArea":
        _element(root, "visibleLines", spec.visible_lines)
    return _document(root)


def permission_set_xml(specs: Sequence[CustomFieldSpec]) -> bytes:
    """A permission set granting read and edit on every field."""
    root = _root("PermissionSet")
    _element(root, "description", "Lets the sfqb integration user read and edit sfqb's fields.")
    for spec in sorted(specs, key=lambda s: s.full_name):
        permission = _element(root, "fieldPermissions")
        _element(permission, "editable", True)
        _element(permission, "field", spec.full_name)
        _element(permission, "readable", True)
    _element(root, "hasActivationRequired", False)
    _element(root, "label", "sfqb Integration")
    return _document(root)


def package_xml(specs: Sequence[CustomFieldSpec], api_version: str) -> bytes:
    """The manifest: every CustomField and the permission set."""
    root = _root("Package")
    fields = _element(root, "types")
    for spec in sorted(specs, key=lambda s: s.full_name):
        _element(fields, "members", spec.full_name)
    _element(fields, "name", "CustomField")
    permissions = _element(root, "types")
    _element(permissions, "members", PERMISSION_SET)
    _element(permissions, "name", "PermissionSet")
    _element(root, "version", api_version)
    return _document(root)


def write_package(specs: Sequence[CustomFieldSpec], out: Path, api_version: str) -> list[Path]:
    """Write the project into `out` (created if needed); returns the files written.

    Files are assembled in a temporary directory next to `out` and moved in at the end, so a
    failure leaves no half-written package behind.
    """
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"{out} exists and is not a directory")
    files: dict[Path, bytes] = {
        Path("package.xml"): package_xml(specs, api_version),
        Path("sfdx-project.json"): _project_json(api_version),
        SOURCE_ROOT / "permissionsets" / f"{PERMISSION_SET}.permissionset-meta.xml": (
            permission_set_xml(specs)
        ),
        Path("README.txt"): _readme(specs),
    }
    for spec in specs:
        path = SOURCE_ROOT / "objects" / spec.object / "fields" / f"{spec.name}.field-meta.xml"
        files[path] = field_xml(spec)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".sfqb-package-", dir=out.parent))
    try:
        for relative, content in files.items():
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        out.mkdir(exist_ok=True)
        for relative in files:
            target = out / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            (staging / relative).replace(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [out / relative for relative in files]


def _project_json(api_version: str) -> bytes:
    project = {
        "packageDirectories": [{"path": "force-app", "default": True}],
        "name": "sfqb-custom-fields",
        "namespace": "",
        "sourceApiVersion": api_version,
    }
    return (json.dumps(project, indent=2) + "\n").encode("utf-8")


def _readme(specs: Sequence[CustomFieldSpec]) -> bytes:
    lines = "\n".join(f"  {s.full_name:<45} {s.summary}" for s in specs)
    text = README.format(permission_set=PERMISSION_SET, count=len(specs), fields=lines)
    return text.encode("utf-8")
