"""The migration map of a version of the standard: ``standard/<version>/migration.json``.

A map says, as data, what changed from the previous version (``from``) to its own (``to``):
tables, fields, codelists and codes added, deprecated or changed (``changes``), and how a new
table or field is filled from the previous version's data (``derive``: portable SQL over the
previous version's tables, in the typed shape of :mod:`mcds.engine`). ``mcds upgrade`` applies
the maps (:mod:`mcds.upgrade`); nothing about a version's changes is written anywhere else.

- a **table derivation** (``table`` and ``from``) is a query whose columns are named after the
  new table's fields; its rows are the new table's rows;
- a **field derivation** (``table`` and ``field``) is an expression over one row of ``table``
  as it was in the previous version; its value is the new field's value in that row.
"""

from __future__ import annotations

import functools
import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from mcds import standard as std
from mcds.errors import MCDSError

__all__ = ["FILE", "Change", "Derivation", "Migration", "chain", "load", "maps", "problems"]

FILE = "migration.json"

ChangeKind = Literal["table-added", "field-added", "field-deprecated", "field-changed", "code-added",
                     "code-deprecated", "code-changed", "codelist-added"]

# what each kind of change names
_NEEDS: dict[str, tuple[str, ...]] = {
    "table-added": ("table",),
    "field-added": ("table", "field"),
    "field-deprecated": ("table", "field"),
    "field-changed": ("table", "field"),
    "code-added": ("codelist", "code"),
    "code-deprecated": ("codelist", "code"),
    "code-changed": ("codelist", "code"),
    "codelist-added": ("codelist",),
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class Change(_Model):
    """One change from the previous version."""

    kind: ChangeKind
    table: str | None = None
    field: str | None = None
    codelist: str | None = None
    code: str | None = None
    replacement: str | None = Field(None, description="What replaces a deprecated field (table.field) or code")
    note: str = ""
    source: str | None = Field(None, description="The law, guidance or DfE field the change follows")

    @model_validator(mode="after")
    def _names_what_it_changes(self) -> Change:
        missing = [k for k in _NEEDS[self.kind] if not getattr(self, k)]
        if missing:
            msg = f"a {self.kind} change needs {' and '.join(missing)}"
            raise ValueError(msg)
        return self


class Derivation(_Model):
    """How a new table, or a new field of a table, is filled from the previous version's data."""

    table: str
    field: str | None = None
    from_: str | None = Field(None, alias="from", description="For a table: the previous version's table it is made from")
    note: str = ""
    sql: str = Field(description="A query (table) or an expression over one row (field), in DuckDB SQL")

    @model_validator(mode="after")
    def _table_or_field(self) -> Derivation:
        if (self.field is None) == (self.from_ is None):
            msg = "a derivation gives either field (a new field of table) or from (the table a new table is made from)"
            raise ValueError(msg)
        return self


class Migration(_Model):
    from_: str = Field(alias="from")
    to: str
    description: str = ""
    changes: tuple[Change, ...] = ()
    derive: tuple[Derivation, ...] = ()

    def of_kind(self, *kinds: str) -> list[Change]:
        return [c for c in self.changes if c.kind in kinds]

    def table_derivation(self, table: str) -> Derivation | None:
        return next((d for d in self.derive if d.table == table and d.field is None), None)

    def field_derivation(self, table: str, field: str) -> Derivation | None:
        return next((d for d in self.derive if d.table == table and d.field == field), None)




def parse(text: str, where: str) -> Migration:
    """A migration map from its JSON text (an :class:`~mcds.errors.MCDSError` naming ``where`` if it is not one)."""
    try:
        return Migration.model_validate(json.loads(text))
    except (ValueError, ValidationError) as exc:
        raise MCDSError(f"{where}: not a migration map ({exc})") from None


@functools.cache
def load(version: str) -> Migration | None:
    """The map into ``version`` (from the version before it), or None if it has none."""
    entry = std.standard_root() / version / FILE
    if not entry.is_file():
        return None
    m = parse(entry.read_text(encoding="utf-8"), f"standard/{version}/{FILE}")
    if m.to != version:
        raise MCDSError(f"standard/{version}/{FILE}: says it leads to version {m.to}, not {version}")
    return m


def maps() -> list[Migration]:
    """Every map of the supported versions, oldest first."""
    return [m for v in std.supported_versions() if (m := load(v)) is not None]


def chain(source: str, target: str) -> list[Migration]:
    """The maps that lead from ``source`` to ``target``, in order (empty when they are the same).
    An :class:`~mcds.errors.MCDSError` when no sequence of maps leads there."""
    by_from = {m.from_: m for m in maps()}
    steps: list[Migration] = []
    at = source
    while std.version_key(at) < std.version_key(target):
        m = by_from.get(at)
        if m is None or std.version_key(m.to) > std.version_key(target):
            raise MCDSError(f"no migration map leads from version {source} to {target} of the standard"
                            + (f" (none starts at {at})" if m is None else ""))
        steps.append(m)
        at = m.to
    return steps


def problems(m: Migration) -> list[str]:
    """What in a map disagrees with the two versions it joins (empty when it is sound): names that
    do not exist, additions that were already there, and fields or tables of the new version that
    the map does not account for."""
    old, new = std.load(m.from_), std.load(m.to)
    out: list[str] = []

    def has_field(s: std.Standard, table: str | None, field: str | None) -> bool:
        return table in s.tables and field in s.tables[table].field_names

    for c in m.changes:
        what = f"{c.kind} {c.table or c.codelist}{'.' + c.field if c.field else ''}{' ' + c.code if c.code else ''}"
        if c.kind == "table-added" and (c.table not in new.tables or c.table in old.tables):
            out.append(f"{what}: not a table new in {m.to}")
        elif c.kind == "field-added" and (not has_field(new, c.table, c.field) or has_field(old, c.table, c.field)):
            out.append(f"{what}: not a field new in {m.to}")
        elif c.kind in ("field-deprecated", "field-changed") and not has_field(new, c.table, c.field):
            out.append(f"{what}: no such field in {m.to}")
        elif c.kind == "field-deprecated" and not new.tables[c.table].field(c.field).deprecated:  # type: ignore[index,arg-type]
            out.append(f"{what}: its Table Schema in {m.to} does not say it is deprecated")
        elif c.kind == "codelist-added" and (c.codelist not in new.codelists or c.codelist in old.codelists):
            out.append(f"{what}: not a codelist new in {m.to}")
        elif c.kind.startswith("code-") and (c.codelist not in new.codelists or c.code not in new.codelist(c.codelist)):  # type: ignore[arg-type]
            out.append(f"{what}: no such code in {m.to}")
    added_tables = {c.table for c in m.of_kind("table-added")}
    added_fields = {(c.table, c.field) for c in m.of_kind("field-added")}
    for t in new.tables.values():
        if t.name not in old.tables and t.name not in added_tables:
            out.append(f"table {t.name} is new in {m.to} but the map has no table-added change for it")
        if t.name in old.tables:
            out += [f"field {t.name}.{f} is new in {m.to} but the map has no field-added change for it"
                    for f in t.field_names if f not in old.tables[t.name].field_names and (t.name, f) not in added_fields]
            out += [f"field {t.name}.{f} of {m.from_} is not in {m.to}: a minor version cannot remove it"
                    for f in old.tables[t.name].field_names if f not in t.field_names]
    out += [f"table {t} of {m.from_} is not in {m.to}: a minor version cannot remove it"
            for t in old.tables if t not in new.tables]
    for d in m.derive:
        if d.field is None and (d.table not in added_tables or d.from_ not in old.tables):
            out.append(f"derivation of table {d.table}: not a table new in {m.to} made from a table of {m.from_}")
        elif d.field is not None and (d.table, d.field) not in added_fields:
            out.append(f"derivation of {d.table}.{d.field}: not a field new in {m.to}")
    return out
