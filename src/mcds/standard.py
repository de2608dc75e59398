"""Load a version of the standard from its language-neutral files.

The standard lives in ``standard/<version>/`` of the repository and is shipped inside
the wheel as ``mcds/_standard``. Nothing here knows a field, code or rule by name:
everything comes from the files.
"""

from __future__ import annotations

import csv
import functools
import io
import json
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

__all__ = [
    "Codelist",
    "Field",
    "Standard",
    "Table",
    "UnknownVersionError",
    "folder_digest",
    "load",
    "standard_root",
    "supported_versions",
    "version_key",
]

TABLE_ORDER_KEY = "tableOrder"


class UnknownVersionError(LookupError):
    """The toolkit does not support the requested version of the standard."""


def standard_root() -> Traversable:
    """The folder holding every version of the standard (installed or in a checkout)."""
    packaged = resources.files("mcds") / "_standard"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "standard"
    if checkout.is_dir():
        return checkout
    msg = "the standard's files are missing from this installation of mcds"
    raise FileNotFoundError(msg)


@functools.cache
def _versions_index() -> dict[str, Any]:
    return json.loads((standard_root() / "versions.json").read_text(encoding="utf-8"))


def folder_digest(folder: Path) -> str:
    """The SHA-256 digest of a version folder: every file's path and bytes, in path order. A
    released version records it in ``versions.json``, and a test fails if the folder changes."""
    import hashlib

    h = hashlib.sha256()
    for p in sorted(Path(folder).rglob("*")):
        if p.is_file():
            h.update(p.relative_to(folder).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def version_key(version: str) -> tuple[int, ...]:
    """A version number ("1.10") as what it sorts by: (1, 10), so that 1.10 comes after 1.9."""
    return tuple(int(p) for p in version.split("."))


def supported_versions() -> tuple[str, ...]:
    """Versions this toolkit validates, oldest first."""
    return tuple(sorted(_versions_index()["versions"], key=version_key))


def current_version() -> str:
    return _versions_index()["current"]


def canonical_url() -> str:
    return _versions_index()["canonical_url"]


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    title: str
    description: str
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def deprecated(self) -> str:
        return self.extra.get("deprecated", "")


@dataclass(frozen=True)
class Codelist:
    name: str
    columns: tuple[str, ...]
    codes: tuple[Code, ...]

    def __contains__(self, code: object) -> bool:
        return code in self.by_code

    @functools.cached_property
    def by_code(self) -> dict[str, Code]:
        return {c.code: c for c in self.codes}

    def values(self, key: str = "code") -> tuple[str, ...]:
        """Distinct values of a column, in file order (``code`` by default)."""
        seen: dict[str, None] = {}
        for c in self.codes:
            seen.setdefault(c.code if key == "code" else c.extra.get(key, ""), None)
        return tuple(v for v in seen if v)


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    title: str
    description: str
    type: str
    table: str
    required: bool
    sensitivity: str
    codelist: str | None = None
    codelist_key: str = "code"
    constraints: dict[str, Any] = field(default_factory=dict)
    descriptor: dict[str, Any] = field(default_factory=dict)

    @property
    def version_added(self) -> str:
        return self.descriptor.get("versionAdded", "")

    @property
    def deprecated(self) -> str:
        return self.descriptor.get("deprecated", "")

    @property
    def is_list(self) -> bool:
        return self.type == "list"


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    title: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[dict[str, Any], ...]
    descriptor: dict[str, Any]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


def _field(table: str, d: dict[str, Any]) -> Field:
    constraints = dict(d.get("constraints", {}))
    return Field(
        name=d["name"],
        title=d.get("title", ""),
        description=d.get("description", ""),
        type=d.get("type", "string"),
        table=table,
        required=bool(constraints.get("required", False)),
        sensitivity=d.get("sensitivity", ""),
        codelist=d.get("codelist"),
        codelist_key=d.get("codelistKey", "code"),
        constraints=constraints,
        descriptor=d,
    )


def read_codelist(name: str, text: str) -> Codelist:
    reader = csv.DictReader(io.StringIO(text))
    columns = tuple(reader.fieldnames or ())
    codes = tuple(
        Code(r["code"], r["title"], r["description"], {k: v for k, v in r.items() if k not in ("code", "title", "description")})
        for r in reader
    )
    return Codelist(name, columns, codes)


@dataclass(frozen=True)
class Standard:
    """One version of the standard, read from its folder."""

    version: str
    root: Traversable
    tables: dict[str, Table]
    metadata_fields: tuple[Field, ...]
    metadata_description: str
    about: dict[str, Any]

    @functools.cached_property
    def codelists(self) -> dict[str, Codelist]:
        folder = self.root / "codelists"
        out = {}
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".csv"):
                name = entry.name[:-4]
                out[name] = read_codelist(name, entry.read_text(encoding="utf-8"))
        return out

    def codelist(self, name: str) -> Codelist:
        try:
            return self.codelists[name]
        except KeyError:
            msg = f"no codelist named {name!r} in version {self.version}"
            raise KeyError(msg) from None

    def allowed_codes(self, f: Field) -> tuple[str, ...] | None:
        """The codes a field may take, from its codelist (None if it has no codelist)."""
        if not f.codelist:
            return None
        return self.codelist(f.codelist).values(f.codelist_key)

    def all_fields(self) -> list[Field]:
        return [f for t in self.tables.values() for f in t.fields]

    def read_json(self, relative: str) -> Any:
        return json.loads((self.root / relative).read_text(encoding="utf-8"))

    def read_text(self, relative: str) -> str:
        return (self.root / relative).read_text(encoding="utf-8")


@functools.cache
def load(version: str | None = None) -> Standard:
    """Load a supported version of the standard (the current one by default)."""
    version = version or current_version()
    if version not in supported_versions():
        msg = f"version {version!r} of the standard is not supported (supported: {', '.join(supported_versions())})"
        raise UnknownVersionError(msg)
    root = standard_root() / version
    order = json.loads((root / "standard.json").read_text(encoding="utf-8"))
    tables = {}
    for name in order["tables"]:
        d = json.loads((root / "schemas" / f"{name}.json").read_text(encoding="utf-8"))
        tables[name] = Table(
            name=name,
            title=d.get("title", name),
            description=d.get("description", ""),
            fields=tuple(_field(name, f) for f in d["fields"]),
            primary_key=tuple(d.get("primaryKey", ())),
            foreign_keys=tuple(d.get("foreignKeys", ())),
            descriptor=d,
        )
    meta = json.loads((root / "metadata.json").read_text(encoding="utf-8"))
    return Standard(
        version=version,
        root=root,
        tables=tables,
        metadata_fields=tuple(_field("metadata", f) for f in meta["fields"]),
        metadata_description=meta.get("description", ""),
        about=order,
    )
