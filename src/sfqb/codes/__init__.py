"""The status-code knowledge base: data files per system and `decode()`."""

from sfqb.codes.catalog import Catalog, CatalogError, CodeEntry, load_catalog
from sfqb.codes.normalize import UnknownCodeFormat, normalize_code, systems_for

__all__ = [
    "Catalog",
    "CatalogError",
    "CodeEntry",
    "UnknownCodeFormat",
    "load_catalog",
    "normalize_code",
    "systems_for",
]
