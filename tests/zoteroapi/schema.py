"""The Zotero item schema (``schema.json``) as the test server needs it.

The server validates writes against this data and serves the mapping endpoints
(``/itemTypes``, ``/itemFields``, ``/itemTypeFields``, ``/itemTypeCreatorTypes``,
``/creatorFields``, ``/items/new``) from it, as api.zotero.org does from the same file.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Item types that are not "regular" items: they have no creators and, except for
#: top-level notes and attachments, live under a parent item.
NON_REGULAR_TYPES = frozenset({"note", "attachment", "annotation"})

LINK_MODES = ("imported_file", "imported_url", "linked_file", "linked_url", "embedded_image")


def default_schema_path() -> Path:
    """``$ZOTERO_SCHEMA_PATH``, else the vendored copy next to this module.

    The copy is zotero/zotero-schema ``schema.json`` version 41 (commit 5eedf44,
    sha256 9bed3841...), the file api.zotero.org serves at ``/schema``.
    """
    env = os.environ.get("ZOTERO_SCHEMA_PATH")
    if env:
        return Path(env)
    return Path(__file__).resolve().with_name("schema.json")


@dataclass(frozen=True)
class ItemTypeSpec:
    """One item type: its fields (schema order), base-field mapping and creator types."""

    name: str
    fields: tuple[str, ...]
    base_of: Mapping[str, str]
    creator_types: tuple[str, ...]
    primary_creator_type: str | None

    @property
    def is_regular(self) -> bool:
        return self.name not in NON_REGULAR_TYPES

    def field_for_base(self, base: str) -> str | None:
        """The field of this type that maps to ``base`` (or ``base`` itself)."""
        if base in self.fields:
            return base
        for field, b in self.base_of.items():
            if b == base:
                return field
        return None


class Schema:
    """Read-only view of a Zotero ``schema.json``."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw
        self.version: int = int(raw["version"])
        self.item_types: dict[str, ItemTypeSpec] = {}
        all_fields: set[str] = set()
        creator_types: set[str] = set()
        for entry in raw["itemTypes"]:
            fields = tuple(f["field"] for f in entry.get("fields", []))
            base_of = {
                f["field"]: f["baseField"] for f in entry.get("fields", []) if "baseField" in f
            }
            cts = tuple(c["creatorType"] for c in entry.get("creatorTypes", []))
            primary = next(
                (c["creatorType"] for c in entry.get("creatorTypes", []) if c.get("primary")),
                None,
            )
            spec = ItemTypeSpec(entry["itemType"], fields, base_of, cts, primary)
            self.item_types[spec.name] = spec
            all_fields.update(fields)
            all_fields.update(base_of.values())
            creator_types.update(cts)
        self.all_fields = frozenset(all_fields)
        self.all_creator_types = frozenset(creator_types)
        self._locales: Mapping[str, Any] = raw.get("locales", {})

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None) -> Schema:
        return _load_cached(str(Path(path) if path else default_schema_path()))

    # -- lookups ---------------------------------------------------------------

    def spec(self, item_type: str) -> ItemTypeSpec | None:
        return self.item_types.get(item_type)

    def is_valid_field(self, item_type: str, field: str) -> bool:
        spec = self.item_types.get(item_type)
        return spec is not None and field in spec.fields

    def title_field(self, item_type: str) -> str | None:
        spec = self.item_types.get(item_type)
        return spec.field_for_base("title") if spec else None

    def base_field(self, item_type: str, field: str) -> str | None:
        spec = self.item_types.get(item_type)
        if spec is None:
            return None
        return spec.base_of.get(field)

    def is_valid_creator_type(self, item_type: str, creator_type: str) -> bool:
        spec = self.item_types.get(item_type)
        return spec is not None and creator_type in spec.creator_types

    # -- localisation ------------------------------------------------------------

    def locale(self, name: str | None) -> Mapping[str, Any]:
        """Localised strings for ``name`` (exact, then language match, then en-US)."""
        if name and name in self._locales:
            return self._locales[name]
        if name:
            lang = name.split("-")[0].lower()
            for key, value in self._locales.items():
                if key.split("-")[0].lower() == lang:
                    return value
        return self._locales.get("en-US", {"itemTypes": {}, "fields": {}, "creatorTypes": {}})

    def localized_item_type(self, item_type: str, locale: str | None = None) -> str:
        return self.locale(locale).get("itemTypes", {}).get(item_type, item_type)

    def localized_field(self, field: str, locale: str | None = None) -> str:
        return self.locale(locale).get("fields", {}).get(field, field)

    def localized_creator_type(self, creator_type: str, locale: str | None = None) -> str:
        return self.locale(locale).get("creatorTypes", {}).get(creator_type, creator_type)

    # -- mapping endpoints ---------------------------------------------------------

    def item_types_json(self, locale: str | None = None) -> list[dict[str, str]]:
        rows = [
            {"itemType": name, "localized": self.localized_item_type(name, locale)}
            for name in self.item_types
            if name != "annotation"
        ]
        return sorted(rows, key=lambda r: r["localized"].lower())

    def item_fields_json(self, locale: str | None = None) -> list[dict[str, str]]:
        rows = [{"field": f, "localized": self.localized_field(f, locale)} for f in self.all_fields]
        return sorted(rows, key=lambda r: r["localized"].lower())

    def item_type_fields_json(self, item_type: str, locale: str | None = None) -> list[dict]:
        spec = self.item_types[item_type]
        return [{"field": f, "localized": self.localized_field(f, locale)} for f in spec.fields]

    def item_type_creator_types_json(self, item_type: str, locale: str | None = None) -> list:
        spec = self.item_types[item_type]
        return [
            {"creatorType": c, "localized": self.localized_creator_type(c, locale)}
            for c in spec.creator_types
        ]

    @staticmethod
    def creator_fields_json() -> list[dict[str, str]]:
        return [
            {"field": "firstName", "localized": "First"},
            {"field": "lastName", "localized": "Last"},
            {"field": "name", "localized": "Name"},
        ]

    def template(self, item_type: str, link_mode: str | None = None) -> dict[str, Any]:
        """The ``/items/new?itemType=...`` template (DS MappingsController::newItem)."""
        spec = self.item_types[item_type]
        out: dict[str, Any] = {"itemType": item_type}
        if item_type == "attachment":
            out["linkMode"] = link_mode
        embedded = item_type == "attachment" and link_mode == "embedded_image"
        first = True
        for field in spec.fields:
            if (
                item_type == "attachment"
                and field == "url"
                and not (link_mode or "").endswith("_url")
            ):
                continue
            out[field] = ""
            if first and spec.is_regular:
                out["creators"] = [
                    {"creatorType": spec.primary_creator_type, "firstName": "", "lastName": ""}
                ]
                first = False
        if embedded:
            out["parentItem"] = ""
        if item_type in ("note", "attachment"):
            out["note"] = ""
        out["tags"] = []
        out["collections"] = []
        out["relations"] = {}
        if item_type == "attachment":
            out["contentType"] = ""
            out["charset"] = ""
            if link_mode == "linked_file":
                out["path"] = ""
            if (link_mode or "").startswith("imported_") or embedded:
                out["filename"] = ""
                out["md5"] = None
                out["mtime"] = None
            if embedded:
                for prop in (
                    "title",
                    "url",
                    "accessDate",
                    "tags",
                    "collections",
                    "relations",
                    "note",
                    "charset",
                ):
                    out.pop(prop, None)
        return out


@functools.lru_cache(maxsize=4)
def _load_cached(path: str) -> Schema:
    with open(path, encoding="utf-8") as fh:
        return Schema(json.load(fh))
