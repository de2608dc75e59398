"""Structure checks: which tables are present, and the header of each.

These look only at names, so they run in Python on the header row; the cells are left to SQL.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from mcds import forms
from mcds import standard as std
from mcds.catalogue import make_issue
from mcds.issues import Issue, Location
from mcds.readers.base import RawSubmission, RawTable
from mcds.validation.suggest import closest, did_you_mean

__all__ = ["check_header", "match_tables"]


def _match_table(raw: RawTable, s: std.Standard) -> str | None:
    if raw.kind == "sheet":
        return forms.match_table(raw.name, s)
    return raw.name if raw.name in s.tables else None


def match_tables(sub: RawSubmission, s: std.Standard) -> Iterator[Issue]:
    """Assign each raw table to the standard's table it stands for; report unknown and missing tables."""
    seen: set[str] = set()
    for raw in sub.tables:
        t = _match_table(raw, s)
        raw.table = t if t and t not in seen else None
        if raw.table:
            seen.add(raw.table)
    missing = [t for t in s.tables if t not in seen]
    for raw in sub.tables:
        if raw.table or raw.hidden:
            continue
        choices = [*missing, *(s.tables[t].title for t in missing)] if raw.kind == "sheet" else missing
        hint = closest(raw.name, choices, cutoff=70)
        yield make_issue("table-unknown", Location(file=raw.file, sheet=raw.sheet), value=raw.name,
                         version=s.version, suggestion=did_you_mean(hint))
    for raw in sub.tables:
        if raw.table and raw.relation is None:  # listed in the descriptor, but its file is not there
            seen.discard(raw.table)
            yield make_issue("table-missing", Location(table=raw.table, file=raw.file), version=s.version)
    for t in missing:
        yield make_issue("table-missing", Location(table=t), version=s.version)


def _match_field(raw: RawTable, header: str, table: std.Table) -> str | None:
    if raw.kind == "sheet":
        return forms.match_field(header, table)
    return header if header in table.field_names else None


def check_header(raw: RawTable, table: std.Table, s: std.Standard) -> Iterator[Issue]:
    """Map the header to fields (``raw.fields``); report blank, repeated, unknown, missing and
    misplaced columns.

    A deprecated field's column may be left out (its cells count as empty); one that holds a value
    is reported by the cell checks (``field-deprecated``, :mod:`.cells`), at the first value."""
    v = s.version
    fields: list[str | None] = []
    unknown: list[int] = []
    for i, h in enumerate(raw.header):
        where = Location(table=table.name, file=raw.file, sheet=raw.sheet, row=raw.header_row if raw.has_columns else None,
                         column=raw.column(i))
        if h is None or not str(h).strip():
            fields.append(None)
            yield make_issue("column-blank", where, version=v)
            continue
        f = _match_field(raw, h, table)
        if f is not None and f in fields:
            fields.append(None)
            yield make_issue("column-duplicate", Location(**{**_loc(where), "field": f}), value=h, version=v)
            continue
        fields.append(f)
        if f is None:
            unknown.append(i)
    raw.fields = fields
    absent = [f for f in table.field_names if f not in fields]
    meant: set[str] = set()
    for i in unknown:
        h = str(raw.header[i])
        choices = absent + ([table.field(f).title for f in absent] if raw.kind == "sheet" else [])
        hint = closest(h, choices, cutoff=75)
        if hint and hint not in absent:  # a title: name the field it belongs to
            hint = next(f for f in absent if table.field(f).title == hint)
        if hint:
            meant.add(hint)
        where = Location(table=table.name, file=raw.file, sheet=raw.sheet,
                         row=raw.header_row if raw.has_columns else None, column=raw.column(i))
        yield make_issue("column-unknown", where, value=h, version=v, suggestion=did_you_mean(hint))
    if raw.kind != "key":  # in the JSON form an object may leave out a property: its cells are empty
        for f in absent:
            if f in meant or table.field(f).deprecated:
                continue  # already reported as a misspelt column; or deprecated: it may be left out
            yield make_issue("column-missing", Location(table=table.name, file=raw.file, sheet=raw.sheet, field=f),
                             version=v, suggestion="")
    if raw.positional:
        order = [table.field_names.index(f) for f in fields if f is not None]
        for prev, cur in itertools.pairwise(order):
            if cur < prev:
                name = table.field_names[cur]
                col = fields.index(name)
                yield make_issue("column-order", Location(table=table.name, file=raw.file, sheet=raw.sheet,
                                                          row=raw.header_row, column=raw.column(col), field=name),
                                 value=raw.header[col], version=v, expected=cur + 1)
                break


def _loc(loc: Location) -> dict[str, object]:
    return {k: getattr(loc, k) for k in Location.__slots__}
