"""In-memory state of one Zotero library and the Web API v3 write rules.

Rules and messages follow the Zotero dataserver (``model/API.inc.php``
checkJSONObjectVersion, ``model/Items.inc.php`` validateJSONItem/updateFromJSON,
``model/Collections.inc.php``, ``model/Errors.inc.php``) as summarised in
``shared/reference/zotero-api.md``.  The class is not thread-safe by itself: the
server holds one lock around every request, and tests that touch a library
directly while the server runs should hold ``server.lock`` too.
"""

from __future__ import annotations

import copy
import itertools
import random
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from .schema import LINK_MODES, Schema

KEY_ALPHABET = "23456789ABCDEFGHIJKLMNPQRSTUVWXYZ"
KEY_RE = re.compile(r"^[23456789ABCDEFGHIJKLMNPQRSTUVWXYZ]{8}$")
MAX_WRITE_OBJECTS = 50
MAX_COLLECTION_NAME = 255
DELETED_KINDS = ("collections", "searches", "items", "tags", "settings")

ITEM_PREDICATES = frozenset({"dc:relation", "dc:replaces", "owl:sameAs", "mendeleyDB:documentUUID"})
COLLECTION_PREDICATES = frozenset({"dc:relation", "owl:sameAs", "mendeleyDB:remoteFolderUUID"})
ZOTERO_URI_PREDICATES = frozenset({"dc:relation", "dc:replaces"})

Clock = Callable[[], datetime]


class ApiError(Exception):
    """An API error: HTTP status plus the server's message.

    In a multi-object write it becomes ``failed[i]``; elsewhere it becomes the
    HTTP response (text/plain body).  ``last_modified_version`` is sent as a
    header only where the real server sends one (412s: the object's version on
    single-object requests, the library's on multi-object ones).
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        data: Mapping[str, Any] | None = None,
        last_modified_version: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {message}")
        self.status = status
        self.message = message
        self.data = dict(data) if data else None
        self.last_modified_version = last_modified_version
        self.headers = dict(headers or {})


def is_valid_key(value: object) -> bool:
    return isinstance(value, str) and bool(KEY_RE.match(value))


def html_escape(text: str) -> str:
    """PHP ``htmlspecialchars($s, ENT_COMPAT)``: escapes & < > and double quotes."""
    return (
        text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )


def _is_numeric(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    if isinstance(value, str):
        return bool(re.fullmatch(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*", value))
    return False


def _php_type(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if value is None:
        return "NULL"
    return "object"


# -- dates ---------------------------------------------------------------------------

_SQL_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
_SQL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO8601 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})$"
)


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_datetime(value: str) -> datetime | None:
    """Parse a UTC SQL datetime or an ISO 8601 timestamp (with offset) to UTC."""
    if _SQL_DATETIME.match(value):
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    m = _ISO8601.match(value)
    if not m:
        return None
    y, mo, d, h, mi, s, tz = m.groups()
    if tz == "Z":
        offset = UTC
    else:
        sign = 1 if tz[0] == "+" else -1
        digits = tz[1:].replace(":", "")
        offset = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    try:
        dt = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), tzinfo=offset)
    except ValueError:
        return None
    return dt.astimezone(UTC)


_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}


def parse_date_parts(text: str) -> tuple[int, int, int] | None:
    """Roughly Zotero's strToDate: ``(year, month, day)`` with 0 for unknown parts."""
    s = text.strip()
    if not s:
        return None
    m = re.match(r"^(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?(?:[T ].*)?$", s)
    if m:
        return int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0)
    m = re.match(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$", s)
    if m:
        return int(m.group(3)), int(m.group(1)), int(m.group(2))
    year_m = re.search(r"(?<!\d)(\d{4})(?!\d)", s)
    if not year_m:
        return None
    year = int(year_m.group(1))
    month = 0
    month_m = re.search(r"\b(" + "|".join(_MONTHS) + r")[a-z]*\.?", s, re.IGNORECASE)
    if month_m:
        month = _MONTHS[month_m.group(1).lower()]
    day = 0
    if month:
        rest = s[: year_m.start()] + " " + s[year_m.end() :]
        day_m = re.search(r"(?<!\d)(\d{1,2})(?:st|nd|rd|th)?(?!\d)", rest)
        if day_m and 1 <= int(day_m.group(1)) <= 31:
            day = int(day_m.group(1))
    return year, month, day


def sql_parts_to_iso(year: int, month: int, day: int) -> str:
    """DS Zotero_Date::sqlToISO8601 for a date: ``2012``, ``2012-09`` or ``2012-09-18``."""
    out = f"{year:04d}"
    if month:
        out += f"-{month:02d}"
        if day:
            out += f"-{day:02d}"
    return out


# -- objects -------------------------------------------------------------------------


@dataclass
class Item:
    key: str
    item_type: str
    version: int = 0
    fields: dict[str, str] = field(default_factory=dict)
    creators: list[dict[str, str]] = field(default_factory=list)
    tags: list[dict[str, Any]] = field(default_factory=list)
    collections: list[str] = field(default_factory=list)
    relations: dict[str, Any] = field(default_factory=dict)
    parent: str | None = None
    deleted: bool = False
    note: str = ""
    attachment: dict[str, Any] = field(default_factory=dict)
    annotation: dict[str, Any] = field(default_factory=dict)
    date_added: str = ""
    date_modified: str = ""
    created_by: int | None = None
    modified_by: int | None = None
    seq: int = 0

    @property
    def is_regular(self) -> bool:
        return self.item_type not in ("note", "attachment", "annotation")

    def snapshot(self) -> dict[str, Any]:
        return {
            "itemType": self.item_type,
            "fields": dict(self.fields),
            "creators": copy.deepcopy(self.creators),
            "tags": copy.deepcopy(self.tags),
            "collections": list(self.collections),
            "relations": copy.deepcopy(self.relations),
            "parentItem": self.parent,
            "deleted": self.deleted,
            "note": self.note,
            "attachment": dict(self.attachment),
            "annotation": copy.deepcopy(self.annotation),
            "dateAdded": self.date_added,
            "dateModified": self.date_modified,
        }


@dataclass
class Collection:
    key: str
    name: str
    version: int = 0
    parent: str | None = None
    relations: dict[str, Any] = field(default_factory=dict)
    date_added: str = ""
    date_modified: str = ""
    seq: int = 0

    def snapshot(self) -> dict[str, Any]:
        return {"name": self.name, "parent": self.parent, "relations": dict(self.relations)}


Render = Callable[[Any], dict[str, Any]]


class Library:
    """One user or group library: objects, versions and the delete log."""

    def __init__(
        self,
        *,
        kind: str,
        library_id: int,
        name: str,
        schema: Schema,
        clock: Clock | None = None,
        rng: random.Random | None = None,
    ) -> None:
        if kind not in ("user", "group"):
            raise ValueError("kind must be 'user' or 'group'")
        self.kind = kind
        self.id = int(library_id)
        self.name = name
        self.schema = schema
        self.version = 0
        self.items: dict[str, Item] = {}
        self.collections: dict[str, Collection] = {}
        self.deleted_log: dict[str, dict[str, int]] = {k: {} for k in DELETED_KINDS}
        self._clock: Clock = clock or (lambda: datetime.now(UTC))
        self._rng = rng or random.Random()
        self._seq = itertools.count(1)

    # -- helpers ----------------------------------------------------------------

    @property
    def prefix(self) -> str:
        return f"/{self.kind}s/{self.id}"

    def now(self) -> str:
        return iso(self._clock())

    def new_key(self) -> str:
        while True:
            key = "".join(self._rng.choice(KEY_ALPHABET) for _ in range(8))
            if key not in self.items and key not in self.collections:
                return key

    def bump(self) -> int:
        """Raise the library version by one without changing data (a foreign no-op)."""
        self.version += 1
        return self.version

    def children_of(self, key: str) -> list[Item]:
        return [i for i in self.items.values() if i.parent == key]

    def descendants_of(self, key: str) -> list[str]:
        out: list[str] = []
        stack = [key]
        while stack:
            k = stack.pop()
            for child in self.children_of(k):
                out.append(child.key)
                stack.append(child.key)
        return out

    def subcollections_of(self, key: str) -> list[Collection]:
        return [c for c in self.collections.values() if c.parent == key]

    def collection_descendants(self, key: str) -> list[str]:
        out: list[str] = []
        stack = [key]
        while stack:
            k = stack.pop()
            for child in self.subcollections_of(k):
                out.append(child.key)
                stack.append(child.key)
        return out

    def is_trashed(self, item: Item) -> bool:
        """In the trash itself, or under a trashed parent."""
        seen: set[str] = set()
        cur: Item | None = item
        while cur is not None and cur.key not in seen:
            if cur.deleted:
                return True
            seen.add(cur.key)
            cur = self.items.get(cur.parent) if cur.parent else None
        return False

    def top_level_of(self, item: Item) -> Item:
        cur = item
        seen: set[str] = set()
        while cur.parent and cur.parent in self.items and cur.key not in seen:
            seen.add(cur.key)
            cur = self.items[cur.parent]
        return cur

    def num_items_in_collection(self, key: str) -> int:
        return sum(
            1
            for i in self.items.values()
            if key in i.collections and i.parent is None and not self.is_trashed(i)
        )

    def _forget_deleted(self, kind: str, key: str) -> None:
        self.deleted_log[kind].pop(key, None)

    # -- convenience API for tests (no HTTP, no version preconditions) -----------

    def add_item(self, data: Mapping[str, Any], *, user_id: int | None = None) -> Item:
        """Create (or patch, if ``data['key']`` exists) one item as a foreign writer would."""
        payload = dict(data)
        existing = self.items.get(payload.get("key", "")) if payload.get("key") else None
        if existing is not None:
            payload.setdefault("version", existing.version)
        elif "key" in payload:
            payload.setdefault("version", 0)
        item, changed = self.prepare_item(
            payload, url_key=None, require_version=0, partial=True, user_id=user_id
        )
        self.version += 1
        if changed:
            self.commit_item(item)
        return self.items.get(item.key, item)

    def update_item(self, key: str, **changes: Any) -> Item:
        """PATCH an existing item (bumps its version and the library version)."""
        if key not in self.items:
            raise KeyError(key)
        return self.add_item({"key": key, "version": self.items[key].version, **changes})

    def add_collection(
        self, name: str, parent: str | None = None, *, key: str | None = None
    ) -> Collection:
        payload: dict[str, Any] = {"name": name, "parentCollection": parent or False}
        if key:
            payload["key"] = key
            payload["version"] = self.collections[key].version if key in self.collections else 0
        coll, changed, moved = self.prepare_collection(
            payload, url_key=None, require_version=0, partial=True
        )
        self.version += 1
        if changed:
            self.commit_collection(coll, moved)
        return self.collections.get(coll.key, coll)

    def update_collection(self, key: str, **changes: Any) -> Collection:
        if key not in self.collections:
            raise KeyError(key)
        payload = {"key": key, "version": self.collections[key].version, **changes}
        coll, changed, moved = self.prepare_collection(
            payload, url_key=None, require_version=0, partial=True
        )
        if changed:
            self.version += 1
            self.commit_collection(coll, moved)
        return self.collections[key]

    # -- version checks -----------------------------------------------------------

    @staticmethod
    def _process_key(json_obj: dict[str, Any], url_key: str | None, object_type: str) -> str | None:
        key = json_obj.get("key")
        if key is not None:
            if not isinstance(key, str):
                raise ApiError(400, "'key' must be a string")
            if not is_valid_key(key):
                raise ApiError(400, f"'{key}' is not a valid {object_type} key")
            if url_key is not None and key != url_key:
                raise ApiError(
                    409, f"'key' property in JSON does not match {object_type} key of request"
                )
            return key
        return url_key

    @staticmethod
    def _check_json_version(
        object_type: str,
        existing_version: int | None,
        json_obj: dict[str, Any],
        key: str | None,
        require_version: int,
        start_version: int,
    ) -> None:
        """DS Zotero_API::checkJSONObjectVersion (v3)."""
        label = object_type.capitalize()
        old_key, old_version = f"{object_type}Key", f"{object_type}Version"
        if json_obj.get(old_key) is not None:
            raise ApiError(400, f"'{old_key}' property is now 'key'")
        if json_obj.get(old_version) is not None:
            raise ApiError(400, f"'{old_version}' property is now 'version'")
        version = json_obj.get("version")
        if version is not None:
            if not _is_numeric(version):
                raise ApiError(400, "'version' must be an integer")
            version = int(float(version))
            if key is None:
                raise ApiError(400, f"'version' is valid only if {object_type} key is provided")
            current = existing_version or 0
            if current > version:
                # Unless it was modified earlier in this same request
                if existing_version is not None and existing_version > start_version:
                    return
                raise ApiError(
                    412,
                    f"{label} has been modified since specified version "
                    f"(expected {version}, found {current})",
                )
            if version > 0 and existing_version is None:
                raise ApiError(
                    404, f"{label} doesn't exist (expected version {version}; use 0 instead)"
                )
        elif require_version == 1 and json_obj.get("key") is not None:
            raise ApiError(
                428,
                "Either If-Unmodified-Since-Version or 'version' property must be provided "
                "for 'key'-based writes",
            )
        elif require_version == 2:
            raise ApiError(
                428,
                "Either If-Unmodified-Since-Version or 'version' property must be provided "
                f"for single-{object_type} writes",
            )

    # -- items: validation ----------------------------------------------------------

    def _validate_item_json(
        self,
        json_obj: dict[str, Any],
        existing: Item | None,
        is_child: bool,
        partial: bool,
    ) -> tuple[str, bool]:
        """DS Zotero_Items::validateJSONItem.  Returns (itemType, isChild)."""
        schema = self.schema
        is_new = existing is None
        if isinstance(json_obj.get("items"), list):
            raise ApiError(400, "An 'items' array is not valid for single-item updates")

        parent_val = json_obj.get("parentItem")
        if is_child:
            if (partial and "parentItem" in json_obj and parent_val is False) or (
                not partial and (parent_val is None or parent_val is False)
            ):
                is_child = False
            elif partial and parent_val is None and json_obj.get("collections"):
                json_obj["parentItem"] = False
                parent_val = False
                is_child = False
        elif parent_val is not None and parent_val is not False:
            is_child = True

        if partial:
            required: list[str] = []
        elif json_obj.get("itemType") == "attachment":
            required = ["linkMode"]
        elif is_new:
            required = ["itemType"]
        else:
            required = ["itemType", "tags", "relations"]
            if not is_child:
                required.append("collections")
        for prop in required:
            if json_obj.get(prop) is None:
                raise ApiError(400, f"'{prop}' property not provided")

        item_type: Any
        if json_obj.get("itemType") is None and partial and existing is not None:
            item_type = existing.item_type
        else:
            item_type = json_obj.get("itemType")  # validated below

        link_mode = json_obj.get("linkMode")
        if isinstance(link_mode, str):
            link_mode = link_mode.lower()
        elif existing is not None:
            link_mode = existing.attachment.get("linkMode")

        for key, val in json_obj.items():
            if key in ("key", "version"):
                continue
            if key in ("itemKey", "itemVersion"):
                raise ApiError(400, f"Invalid property '{key}'")
            if key == "parentItem":
                if val is not False and val is not None:
                    if not is_valid_key(val):
                        raise ApiError(400, "'parentItem' must be a valid item key or false")
                    if json_obj.get("key") is not None and val == json_obj["key"]:
                        raise ApiError(400, f"Item {self.id}/{val} cannot be a child of itself")
            elif key == "itemType":
                if not isinstance(val, str):
                    raise ApiError(400, "'itemType' must be a string")
                if val not in schema.item_types:
                    raise ApiError(400, f"'{val}' is not a valid itemType")
                if (is_child or json_obj.get("parentItem")) and val not in (
                    "note",
                    "attachment",
                    "annotation",
                ):
                    raise ApiError(400, "Child item must be note, attachment, or annotation")
            elif key == "tags":
                self._validate_tags(val)
            elif key == "collections":
                if not isinstance(val, list):
                    raise ApiError(400, "'collections' property must be an array")
                if is_child and val:
                    raise ApiError(400, "Child items cannot be assigned to collections")
                for k in val:
                    if not is_valid_key(k):
                        raise ApiError(400, f"'{k}' is not a valid collection key")
            elif key == "relations":
                self._validate_relations(val, ITEM_PREDICATES, "item")
            elif key == "creators":
                self._validate_creators(val, item_type, is_new)
            elif key == "note":
                if item_type not in ("note", "attachment"):
                    raise ApiError(
                        400, "'note' property is valid only for note and attachment items"
                    )
                if item_type == "attachment" and link_mode == "embedded_image" and val != "":
                    raise ApiError(400, "'note' property is not valid for embedded images")
            elif key in ("attachments", "notes"):
                raise ApiError(400, f"'{key}' property is no longer supported")
            elif key == "deleted":
                if not isinstance(val, bool) and val not in (0, 1):
                    raise ApiError(400, "'deleted' must be a boolean")
            elif key == "inPublications":
                if val and self.kind != "user":
                    raise ApiError(
                        400, f"{self.kind.capitalize()} items cannot be added to My Publications"
                    )
            elif key == "linkMode":
                if not isinstance(val, str) or val.lower() not in LINK_MODES:
                    raise ApiError(400, f"'{val}' is not a valid linkMode")
                if existing is not None and val.lower() != existing.attachment.get("linkMode"):
                    raise ApiError(400, "Cannot change attachment linkMode")
            elif key in ("contentType", "charset", "filename", "md5", "mtime", "path"):
                if item_type != "attachment":
                    raise ApiError(400, f"'{key}' is valid only for attachment items")
                lm = link_mode or ""
                if val in (None, ""):
                    continue  # an empty storage property is ignored whatever the link mode
                if key in ("filename", "md5", "mtime") and not (
                    lm.startswith("imported_") or lm == "embedded_image"
                ):
                    raise ApiError(
                        400, f"'{key}' is valid only for imported and embedded-image attachments"
                    )
                if key == "path" and lm != "linked_file":
                    raise ApiError(400, f"'{key}' is valid only for linked file attachment items")
                if key == "md5" and val and not re.fullmatch(r"[a-f0-9]{32}", str(val)):
                    raise ApiError(400, f"'{val}' is not a valid MD5 hash")
                if key == "filename" and isinstance(val, str) and ("/" in val or "\\" in val):
                    raise ApiError(400, f"Stored-file filename '{val}' cannot contain a slash")
            elif key.startswith("annotation"):
                if item_type != "annotation":
                    raise ApiError(400, f"'{key}' is valid only for annotation items")
            elif key == "accessDate":
                if (
                    val is not None
                    and val != ""
                    and val != "CURRENT_TIMESTAMP"
                    and not (
                        isinstance(val, str)
                        and (
                            _SQL_DATE.match(val)
                            or _SQL_DATETIME.match(val)
                            or parse_datetime(val) is not None
                        )
                    )
                ):
                    raise ApiError(
                        400,
                        "'accessDate' must be in ISO 8601 or UTC 'YYYY-MM-DD[ hh:mm:ss]' "
                        f"format or 'CURRENT_TIMESTAMP' ({val})",
                    )
            elif key in ("dateAdded", "dateModified"):
                if not isinstance(val, str) or parse_datetime(val) is None:
                    raise ApiError(
                        400,
                        f"'{key}' must be in ISO 8601 or UTC 'YYYY-MM-DD hh:mm:ss' format ({val})",
                    )
            else:
                if key not in schema.all_fields:
                    raise ApiError(400, f"Invalid property '{key}'")
                if isinstance(val, list | dict):
                    raise ApiError(400, f"Unexpected array for property '{key}'")
        if not isinstance(item_type, str):
            raise ApiError(400, "'itemType' property not provided")
        return item_type, is_child

    @staticmethod
    def _validate_tags(val: Any) -> None:
        if not isinstance(val, list):
            raise ApiError(400, "'tags' property must be an array")
        for tag in val:
            if not isinstance(tag, dict):
                raise ApiError(400, "Tag must be an object")
            if not tag:
                raise ApiError(400, "Tag object is empty")
            for k, v in tag.items():
                if k == "tag":
                    if isinstance(v, list | dict) or v is None:
                        raise ApiError(400, "Invalid tag name")
                elif k == "type":
                    if not _is_numeric(v):
                        raise ApiError(400, f"Invalid tag type '{v}'")
                else:
                    raise ApiError(400, f"Invalid tag property '{k}'")

    @staticmethod
    def _validate_relations(val: Any, allowed: frozenset[str], object_type: str) -> None:
        if not isinstance(val, dict) and val != []:
            raise ApiError(400, "'relations' property must be an object")
        if not isinstance(val, dict):
            return
        for predicate, obj in val.items():
            if predicate not in allowed:
                raise ApiError(400, f"Unsupported predicate '{predicate}'")
            if predicate not in ZOTERO_URI_PREDICATES:
                continue
            uris = [obj] if isinstance(obj, str) else obj
            pattern = (
                r"^http://zotero\.org/(users|groups)/[0-9]+/(publications/)?"
                + ("items" if object_type == "item" else "collections")
                + r"/[A-Z0-9]{8}$"
            )
            for uri in uris if isinstance(uris, list) else [uris]:
                if not isinstance(uri, str) or not re.match(pattern, uri):
                    raise ApiError(
                        400,
                        f"'relations' values currently must be Zotero {object_type} URIs",
                    )

    def _validate_creators(self, val: Any, item_type: Any, is_new: bool) -> None:
        if not isinstance(val, list):
            raise ApiError(400, "'creators' property must be an array")
        for creator in val:
            if not isinstance(creator, dict) or creator.get("creatorType") is None:
                raise ApiError(400, "creator object must contain 'creatorType'")

            def blank(prop: str, c: dict[str, Any] = creator) -> bool:
                v = c.get(prop)
                return v is None or str(v).strip() == ""

            if blank("name") and blank("firstName") and blank("lastName"):
                # A single nameless creator is what /items/new returns; ignore it
                if len(val) == 1 and is_new:
                    continue
                raise ApiError(400, "creator object must contain 'firstName'/'lastName' or 'name'")
            for k, v in creator.items():
                if k == "creatorType":
                    if v not in self.schema.all_creator_types:
                        raise ApiError(400, f"'{v}' is not a valid creator type")
                    if (
                        isinstance(item_type, str)
                        and not self.schema.is_valid_creator_type(item_type, v)
                        and v != "author"
                    ):
                        raise ApiError(
                            400, f"'{v}' is not a valid creator type for item type '{item_type}'"
                        )
                elif k == "firstName":
                    if creator.get("lastName") is None:
                        raise ApiError(
                            400, "'lastName' creator field must be set if 'firstName' is set"
                        )
                    if creator.get("name") is not None:
                        raise ApiError(
                            400, "'firstName' and 'name' creator fields are mutually exclusive"
                        )
                elif k == "lastName":
                    if creator.get("firstName") is None:
                        raise ApiError(
                            400, "'firstName' creator field must be set if 'lastName' is set"
                        )
                    if creator.get("name") is not None:
                        raise ApiError(
                            400, "'lastName' and 'name' creator fields are mutually exclusive"
                        )
                elif k == "name":
                    if creator.get("firstName") is not None:
                        raise ApiError(
                            400, "'firstName' and 'name' creator fields are mutually exclusive"
                        )
                    if creator.get("lastName") is not None:
                        raise ApiError(
                            400, "'lastName' and 'name' creator fields are mutually exclusive"
                        )
                else:
                    raise ApiError(400, f"Invalid creator property '{k}'")

    # -- items: apply ----------------------------------------------------------------

    def _change_type(self, item: Item, new_type: str) -> None:
        old_type = item.item_type
        if old_type == new_type:
            return
        new_fields: dict[str, str] = {}
        for fld, value in item.fields.items():
            if self.schema.is_valid_field(new_type, fld):
                new_fields[fld] = value
                continue
            base = self.schema.base_field(old_type, fld) or (
                fld if fld in self.schema.all_fields else None
            )
            spec = self.schema.spec(new_type)
            target = spec.field_for_base(base) if (spec and base) else None
            if target:
                new_fields[target] = value
        item.fields = new_fields
        item.item_type = new_type
        spec = self.schema.spec(new_type)
        if spec is not None:
            for creator in item.creators:
                if creator["creatorType"] not in spec.creator_types:
                    creator["creatorType"] = "contributor"

    def _set_field(self, item: Item, fld: str, value: Any) -> None:
        if value is None or value is False or value == "":
            item.fields.pop(fld, None)
            return
        if not self.schema.is_valid_field(item.item_type, fld):
            raise ApiError(400, f"'{fld}' is not a valid field for type '{item.item_type}'")
        if isinstance(value, bool):
            text = "1"
        elif isinstance(value, float) and value.is_integer():
            text = str(int(value))
        else:
            text = str(value)
        if fld == "accessDate":
            text = self._normalize_access_date(text)
        item.fields[fld] = text

    def _normalize_access_date(self, text: str) -> str:
        if text == "CURRENT_TIMESTAMP":
            return self.now()
        if _SQL_DATE.match(text):
            y, m, d = (int(x) for x in text.split("-"))
            return sql_parts_to_iso(y, m, d)
        dt = parse_datetime(text)
        return iso(dt) if dt else text

    def prepare_item(
        self,
        raw: Any,
        *,
        url_key: str | None,
        require_version: int,
        partial: bool,
        start_version: int | None = None,
        user_id: int | None = None,
        zotero_client: bool = False,
    ) -> tuple[Item, bool]:
        """Validate one item write and build the new state without storing it.

        Returns ``(item, changed)``.  Raises :class:`ApiError` on any failure, which
        leaves the library untouched (per-object isolation of multi-writes).
        """
        if not isinstance(raw, dict):
            raise ApiError(400, "Invalid item object")
        json_obj = dict(raw["data"]) if isinstance(raw.get("data"), dict) else dict(raw)
        key = self._process_key(json_obj, url_key, "item")
        existing = self.items.get(key) if key else None
        self._check_json_version(
            "item",
            existing.version if existing else None,
            json_obj,
            key,
            require_version,
            self.version if start_version is None else start_version,
        )
        is_child = existing.parent is not None if existing else False
        partial_existing = partial and existing is not None
        item_type, is_child = self._validate_item_json(
            json_obj, existing, is_child, partial_existing
        )

        now = self.now()
        if existing is not None:
            item = copy.deepcopy(existing)
        else:
            item = Item(
                key=key or self.new_key(),
                item_type=item_type,
                date_added=now,
                date_modified=now,
                created_by=user_id,
                seq=next(self._seq),
            )
        before = item.snapshot() if existing is not None else None

        if json_obj.get("itemType") is not None:
            self._change_type(item, json_obj["itemType"])
        if item.item_type == "attachment" and json_obj.get("linkMode") is not None:
            item.attachment["linkMode"] = str(json_obj["linkMode"]).lower()

        parent_val = json_obj.get("parentItem")
        if parent_val is not None:
            if parent_val is False or parent_val == "":
                item.parent = None
            else:
                parent = self.items.get(parent_val)
                if parent is None:
                    raise ApiError(
                        409, f"Parent item {parent_val} not found", data={"parentItem": parent_val}
                    )
                if item.item_type in ("note", "attachment") and parent.item_type in (
                    "note",
                    "attachment",
                    "annotation",
                ):
                    embedded_ok = (
                        item.item_type == "attachment"
                        and item.attachment.get("linkMode") == "embedded_image"
                        and parent.item_type == "note"
                    )
                    if not embedded_ok:
                        raise ApiError(
                            409,
                            "Parent item cannot be a note or attachment",
                            data={"parentItem": parent_val},
                        )
                item.parent = parent_val
        elif not partial_existing and existing is not None:
            # PUT without parentItem makes the item top-level
            item.parent = None
        self._check_parent_rules(item, json_obj, existing)

        date_modified_explicit = False
        for prop, val in json_obj.items():
            if prop in (
                "key",
                "version",
                "parentItem",
                "itemType",
                "deleted",
                "inPublications",
                "linkMode",
            ):
                continue
            if prop == "creators":
                item.creators = self._normalize_creators(val)
            elif prop == "tags":
                item.tags = self._normalize_tags(val)
            elif prop == "collections":
                seen: list[str] = []
                for ck in val:
                    if ck not in seen:
                        seen.append(ck)
                item.collections = seen
            elif prop == "relations":
                item.relations = dict(val) if isinstance(val, dict) else {}
            elif prop == "note":
                item.note = "" if val is None else str(val)
            elif prop in ("contentType", "charset", "filename", "path"):
                item.attachment[prop] = "" if val is None else str(val)
            elif prop in ("md5", "mtime"):
                if val:
                    item.attachment[prop] = val
            elif prop.startswith("annotation"):
                item.annotation[prop] = val
            elif prop == "dateAdded":
                dt = parse_datetime(val)
                assert dt is not None  # validated
                if existing is None:
                    item.date_added = iso(dt)
                elif iso(dt) != existing.date_added:
                    raise ApiError(400, "'dateAdded' cannot be modified for existing items")
            elif prop == "dateModified":
                dt = parse_datetime(val)
                assert dt is not None  # validated
                if zotero_client or iso(dt) != item.date_modified:
                    item.date_modified = iso(dt)
                    date_modified_explicit = True
            else:
                self._set_field(item, prop, val)

        if not partial_existing and existing is not None:
            # PUT: properties left out are removed
            for fld in list(item.fields):
                if fld not in json_obj:
                    del item.fields[fld]
            if "creators" not in json_obj:
                item.creators = []
            if "note" not in json_obj:
                item.note = ""

        if json_obj.get("deleted") is not None or not partial_existing:
            item.deleted = bool(json_obj.get("deleted"))
        if item.parent is not None and item.collections:
            raise ApiError(400, "Child items cannot be assigned to collections")
        for ck in item.collections:
            if ck not in self.collections:
                raise ApiError(409, f"Collection {ck} not found", data={"collection": ck})

        if before is None:
            changed = True
        else:
            after = item.snapshot()
            changed_props = {k for k in after if after[k] != before[k]}
            changed = bool(changed_props)
            skip_date_modified = date_modified_explicit or not (
                changed_props - {"collections", "deleted", "relations", "dateModified"}
            )
            if changed and not skip_date_modified:
                item.date_modified = now
        if changed:
            item.modified_by = user_id if user_id is not None else item.modified_by
        return item, changed

    def _check_parent_rules(
        self, item: Item, json_obj: dict[str, Any], existing: Item | None
    ) -> None:
        if item.is_regular and item.parent is not None:
            raise ApiError(400, "Child item must be note, attachment, or annotation")
        if item.item_type == "annotation":
            kind = json_obj.get("annotationType") or item.annotation.get("annotationType", "")
            if item.parent is None:
                raise ApiError(400, "Annotation must have a parent item")
            parent = self.items.get(item.parent)
            if parent is None or parent.item_type != "attachment":
                raise ApiError(400, f"Parent item of {kind} annotation must be a PDF attachment")
        if item.item_type == "attachment" and item.attachment.get("linkMode") == "embedded_image":
            if item.parent is None:
                raise ApiError(400, "Embedded-image attachment must have a parent item")
            if existing is not None and existing.parent and existing.parent != item.parent:
                raise ApiError(400, "Cannot change parent item of embedded-image attachment")

    @staticmethod
    def _normalize_creators(val: list[dict[str, Any]]) -> list[dict[str, str]]:
        out: list[dict[str, str]] = []
        for c in val:
            if c.get("name") is not None:
                if str(c["name"]).strip() == "":
                    continue
                out.append({"creatorType": c["creatorType"], "name": str(c["name"])})
            else:
                first = "" if c.get("firstName") is None else str(c["firstName"])
                last = "" if c.get("lastName") is None else str(c["lastName"])
                if not first.strip() and not last.strip():
                    continue
                out.append({"creatorType": c["creatorType"], "firstName": first, "lastName": last})
        return out

    @staticmethod
    def _normalize_tags(val: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        names: set[str] = set()
        for t in val:
            name = str(t.get("tag", "")).strip()
            if not name or name in names:
                continue
            names.add(name)
            entry: dict[str, Any] = {"tag": name}
            tag_type = int(float(t.get("type", 0) or 0))
            if tag_type:
                entry["type"] = tag_type
            out.append(entry)
        return out

    def commit_item(self, item: Item) -> Item:
        """Store a prepared item at the current library version."""
        item.version = self.version
        self.items[item.key] = item
        self._forget_deleted("items", item.key)
        return item

    # -- collections -------------------------------------------------------------

    def _validate_collection_json(self, json_obj: dict[str, Any], partial: bool) -> None:
        if not partial and json_obj.get("name") is None:
            raise ApiError(400, "'name' property not provided")
        for key, val in json_obj.items():
            if key in ("key", "version", "collectionKey", "collectionVersion"):
                continue
            if key == "name":
                if not isinstance(val, str):
                    raise ApiError(400, "'name' must be a string")
                if val == "":
                    raise ApiError(400, "Collection name cannot be empty")
                if len(val) > MAX_COLLECTION_NAME:
                    raise ApiError(413, f"Collection name '{val[:50]}…' too long")
            elif key == "parentCollection":
                if not isinstance(val, str) and val:
                    raise ApiError(
                        400,
                        f"'parentCollection' must be a collection key or FALSE ({_php_type(val)})",
                    )
            elif key == "parent":
                raise ApiError(400, "'parent' property is now 'parentCollection'")
            elif key == "relations":
                self._validate_relations(val, COLLECTION_PREDICATES, "collection")
            else:
                raise ApiError(400, f"Invalid property '{key}'")

    def prepare_collection(
        self,
        raw: Any,
        *,
        url_key: str | None,
        require_version: int,
        partial: bool,
        start_version: int | None = None,
    ) -> tuple[Collection, bool, list[Collection]]:
        """Validate one collection write.  Returns ``(collection, changed, moved)``.

        ``moved`` lists descendants that had to move to the root because the
        collection was made a child of its own descendant (DS behaviour).
        """
        if not isinstance(raw, dict):
            raise ApiError(400, "Invalid collection object")
        json_obj = dict(raw["data"]) if isinstance(raw.get("data"), dict) else dict(raw)
        key = self._process_key(json_obj, url_key, "collection")
        existing = self.collections.get(key) if key else None
        self._check_json_version(
            "collection",
            existing.version if existing else None,
            json_obj,
            key,
            require_version,
            self.version if start_version is None else start_version,
        )
        self._validate_collection_json(json_obj, partial and existing is not None)
        now = self.now()
        if existing is not None:
            coll = copy.deepcopy(existing)
        else:
            coll = Collection(
                key=key or self.new_key(),
                name="",
                date_added=now,
                date_modified=now,
                seq=next(self._seq),
            )
        before = coll.snapshot() if existing is not None else None
        if json_obj.get("name") is not None:
            coll.name = json_obj["name"]
        moved: list[Collection] = []
        if "parentCollection" in json_obj and json_obj["parentCollection"] is not None:
            parent_key = json_obj["parentCollection"]
            if not parent_key:
                coll.parent = None
            else:
                if parent_key not in self.collections or parent_key == coll.key:
                    raise ApiError(
                        409,
                        f"Parent collection {parent_key} not found",
                        data={"collection": parent_key},
                    )
                if existing is not None and parent_key in self.collection_descendants(coll.key):
                    descendant = copy.deepcopy(self.collections[parent_key])
                    descendant.parent = None
                    descendant.date_modified = now
                    moved.append(descendant)
                coll.parent = parent_key
        elif not (partial and existing is not None):
            coll.parent = None
        if json_obj.get("relations") is not None:
            rel = json_obj["relations"]
            coll.relations = dict(rel) if isinstance(rel, dict) else {}
        elif not (partial and existing is not None):
            coll.relations = {}
        changed = before is None or coll.snapshot() != before
        if changed and before is not None:
            coll.date_modified = now
        return coll, changed, moved

    def commit_collection(self, coll: Collection, moved: Iterable[Collection] = ()) -> Collection:
        coll.version = self.version
        self.collections[coll.key] = coll
        self._forget_deleted("collections", coll.key)
        for other in moved:
            other.version = self.version
            self.collections[other.key] = other
        return coll

    # -- multi-object writes --------------------------------------------------------

    def write_objects(
        self,
        object_type: str,
        objects: list[Any],
        *,
        require_version: int,
        render: Render,
        user_id: int | None = None,
        zotero_client: bool = False,
    ) -> dict[str, dict[str, Any]]:
        """POST <prefix>/items or /collections: the multi-write report.

        Since DS commit c97d2cf (2026-03) every object is saved in its own
        transaction: each successful or unchanged object raises the library
        version by one, and a successful object takes that version.
        """
        report: dict[str, dict[str, Any]] = {
            "successful": {},
            "success": {},
            "unchanged": {},
            "failed": {},
        }
        start_version = self.version
        for index, raw in enumerate(objects):
            idx = str(index)
            try:
                if not isinstance(raw, dict):
                    raise ApiError(
                        400,
                        f"Invalid value for index {index} in uploaded data; "
                        f"expected JSON {object_type} object",
                    )
                moved: list[Collection] = []
                obj: Item | Collection
                if object_type == "item":
                    obj, changed = self.prepare_item(
                        raw,
                        url_key=None,
                        require_version=require_version,
                        partial=True,
                        start_version=start_version,
                        user_id=user_id,
                        zotero_client=zotero_client,
                    )
                else:
                    obj, changed, moved = self.prepare_collection(
                        raw,
                        url_key=None,
                        require_version=require_version,
                        partial=True,
                        start_version=start_version,
                    )
            except ApiError as err:
                entry: dict[str, Any] = {"code": err.status, "message": html_escape(err.message)}
                if err.data:
                    entry["data"] = err.data
                report["failed"][idx] = entry
                continue
            self.version += 1
            if changed:
                if isinstance(obj, Item):
                    self.commit_item(obj)
                else:
                    self.commit_collection(obj, moved)
                report["successful"][idx] = render(obj)
                report["success"][idx] = obj.key
            else:
                report["unchanged"][idx] = obj.key
        return report

    # -- deletes -----------------------------------------------------------------

    def delete_items(self, keys: Iterable[str]) -> list[str]:
        """Delete items and their children; one version bump.  Unknown keys are ignored."""
        doomed: list[str] = []
        for key in keys:
            if key in self.items and key not in doomed:
                doomed.append(key)
                doomed.extend(k for k in self.descendants_of(key) if k not in doomed)
        if doomed:
            self.version += 1
            for key in doomed:
                del self.items[key]
                self.deleted_log["items"][key] = self.version
        return doomed

    def delete_collections(self, keys: Iterable[str]) -> list[str]:
        """Delete collections and their subcollections; items only lose membership."""
        doomed: list[str] = []
        for key in keys:
            if key in self.collections and key not in doomed:
                doomed.append(key)
                doomed.extend(k for k in self.collection_descendants(key) if k not in doomed)
        if doomed:
            self.version += 1
            gone = set(doomed)
            for key in doomed:
                del self.collections[key]
                self.deleted_log["collections"][key] = self.version
            for item in self.items.values():
                if gone.intersection(item.collections):
                    item.collections = [c for c in item.collections if c not in gone]
        return doomed

    def delete_tags(self, names: Iterable[str]) -> list[str]:
        wanted = set(names)
        touched = [i for i in self.items.values() if any(t["tag"] in wanted for t in i.tags)]
        present = {t["tag"] for i in touched for t in i.tags} & wanted
        if present:
            self.version += 1
            for item in touched:
                item.tags = [t for t in item.tags if t["tag"] not in wanted]
                item.version = self.version
            for name in present:
                self.deleted_log["tags"][name] = self.version
        return sorted(present)

    def add_items_to_collection(self, collection_key: str, item_keys: list[str]) -> None:
        items = []
        for key in item_keys:
            item = self.items.get(key)
            if item is None:
                raise ApiError(400, f"Item '{key}' not found in library")
            if item.parent is not None:
                raise ApiError(400, "Child items cannot be added to collections directly")
            items.append(item)
        self.version += 1
        for item in items:
            if collection_key not in item.collections:
                item.collections.append(collection_key)
            item.version = self.version

    # -- derived values ------------------------------------------------------------

    def creator_summary(self, item: Item) -> str:
        spec = self.schema.spec(item.item_type)
        primary = spec.primary_creator_type if spec else None
        for wanted in (primary, "editor", "contributor"):
            names = [
                c.get("lastName") or c.get("name") or ""
                for c in item.creators
                if c["creatorType"] == wanted
            ]
            if names:
                if len(names) == 1:
                    return names[0]
                if len(names) == 2:
                    return f"{names[0]} and {names[1]}"
                return f"{names[0]} et al."
        return ""

    def parsed_date(self, item: Item) -> str | None:
        spec = self.schema.spec(item.item_type)
        date_field = spec.field_for_base("date") if spec else None
        value = item.fields.get(date_field or "date", "")
        parts = parse_date_parts(value) if value else None
        if not parts or parts[0] == 0:
            return None
        return sql_parts_to_iso(*parts)

    def sort_title(self, item: Item) -> str:
        if item.item_type == "note":
            text = re.sub(r"<[^>]+>", "", item.note)
            return text.strip().split("\n")[0]
        fld = self.schema.title_field(item.item_type) or "title"
        return item.fields.get(fld, "")
