"""Where each converted row came from, kept beside the package, so that issues found in it are
reported in the analyst's own coordinates.

A converter records, for every row it writes, its :class:`Origin`: the source file, the row as Excel
shows it (or, for XML, the element's path and line), the child's identifier there, and which source
column (letter and name) or XML element fills each field. :func:`write` keeps them in
``<package>.provenance.json`` beside the package, with a digest of the files written;
:func:`apply` (called by :func:`mcds.validate.load`) moves every issue of a package with such a file,
unchanged since, to the source's coordinates: a column fault too, at the source's column and with its first
rows numbered as the source numbers them (:func:`relocate_column`). Without one, each issue still gains the child's
identifier (:func:`with_child_ids`), for the JSON report only.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mcds.issues import Issue, Location

__all__ = ["Origin", "Provenance", "RowOrigin", "apply", "sidecar", "with_child_ids", "write"]

FORMAT = "mcds-provenance"
SUFFIX = ".provenance.json"


@dataclass(frozen=True)
class Origin:
    """One source row (or XML element) and the source columns of the fields it fills."""

    file: str
    row: int | None                                 # as Excel shows it (CSV, worksheet)
    line: int | None = None                         # XML: the line of the element
    path: str | None = None                         # XML: the element's path, e.g. CHILD[3]/HEADER/AMISSING[1]
    child_id: str | None = None                     # the child's identifier in the source
    columns: Mapping[str, tuple[str | None, str]] = field(default_factory=dict)  # field -> (letter, name)
    sheet: str | None = None

    def place(self, table: str | None, field_name: str | None, *, record_id: str | None = None) -> Location:
        """The location of ``field_name`` of this row in the source's own coordinates."""
        letter, name = self.columns.get(field_name or "", (None, None))
        # an element's own child (MIS_START), or one outside it (../CHILDID: the child's header)
        source = posixpath.normpath(f"{self.path}/{name}") if self.path and name else self.path or name
        return Location(table=table, file=self.file, sheet=self.sheet, row=self.row, line=self.line, column=letter,
                        field=field_name, record_id=record_id, source_field=source, child_id=self.child_id)


@dataclass(frozen=True)
class RowOrigin:
    """A written row: where it came from, and where any field filled from another source row came from."""

    base: Origin
    fields: dict[str, Origin] = field(default_factory=dict)

    def place(self, loc: Location) -> Location:
        origin = self.fields.get(loc.field or "", self.base)
        return origin.place(loc.table, loc.field, record_id=loc.record_id)


@dataclass
class Provenance:
    """Every written row's origin, table by table in the package's order."""

    converter: str
    tables: dict[str, list[RowOrigin]] = field(default_factory=dict)

    def add(self, table: str, origin: RowOrigin) -> None:
        self.tables.setdefault(table, []).append(origin)

    def to_dict(self, digest: dict[str, str]) -> dict[str, Any]:
        maps: dict[tuple[Any, ...], int] = {}

        def ref(o: Origin) -> list[Any]:
            key = (o.file, o.sheet, tuple(sorted((k, tuple(v)) for k, v in o.columns.items())))
            if key not in maps:
                maps[key] = len(maps)
            return [maps[key], o.row, o.line, o.path, o.child_id]

        rows = {t: [[*ref(r.base), {f: ref(o) for f, o in sorted(r.fields.items())}] for r in origins]
                for t, origins in self.tables.items()}
        return {
            "format": FORMAT,
            "converter": self.converter,
            "package": digest,
            "sources": [{"file": k[0], "sheet": k[1], "columns": {f: list(v) for f, v in k[2]}} for k in maps],
            "rows": rows,
        }

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> Provenance:
        sources = [(s["file"], s.get("sheet"), {f: (v[0], v[1]) for f, v in s["columns"].items()}) for s in doc["sources"]]

        def origin(ref: list[Any]) -> Origin:
            file, sheet, columns = sources[ref[0]]
            return Origin(file, ref[1], ref[2], ref[3], ref[4], columns, sheet)

        tables = {t: [RowOrigin(origin(r[:5]), {f: origin(o) for f, o in r[5].items()}) for r in rows]
                  for t, rows in doc["rows"].items()}
        return cls(doc["converter"], tables)


# ---------------------------------------------------------------- beside the package


def _package_root(path: Path) -> Path:
    """The package a path names: a CSV package's folder (also given as its datapackage.json), or the file."""
    return path.parent if path.name == "datapackage.json" else path


def sidecar(path: Path | str) -> Path:
    """The provenance file of the package at ``path``: ``<folder or file name>.provenance.json`` beside it."""
    root = _package_root(Path(path).absolute())  # "." has no name of its own
    return root.with_name(root.name + SUFFIX) if root.name else root / SUFFIX


def digest(path: Path | str) -> dict[str, str]:
    """SHA-256 of every file of the package at ``path`` (a folder's files, or the file), by name."""
    root = _package_root(Path(path))
    files = sorted(p for p in root.iterdir() if p.is_file()) if root.is_dir() else [root]
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def write(provenance: Provenance, package: Path | str) -> Path:
    """Write the provenance of the package just written at ``package`` beside it."""
    from mcds.derive import dumps
    from mcds.writing import atomic_path

    target = sidecar(package)
    with atomic_path(target) as tmp:
        tmp.write_text(dumps(provenance.to_dict(digest(package))), encoding="utf-8")
    return target


def read(package: Path | str) -> tuple[Provenance | None, str | None]:
    """The provenance beside ``package`` and None, or None and why it is not used (None: there is none)."""
    p = sidecar(package)
    if not p.is_file():
        return None, None
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
        if doc.get("format") != FORMAT:
            return None, f"{p.name} is not a provenance file; issues are given in the package's own rows"
        if doc.get("package") != digest(package):
            return None, (f"the package has changed since it was converted ({p.name} no longer matches it); "
                          "issues are given in the package's own rows")
        return Provenance.from_dict(doc), None
    except (OSError, ValueError, KeyError, IndexError, TypeError, AttributeError):
        return None, f"{p.name} cannot be read; issues are given in the package's own rows"


# ---------------------------------------------------------------- issues in source coordinates

FIRST_ROW = 2  # a table's first data row in every form mcds writes (CSV, workbook, JSON records)


def _origin(provenance: Provenance, loc: Location) -> RowOrigin | None:
    rows = provenance.tables.get(loc.table or "")
    if not rows or loc.row is None:
        return None
    index = loc.row - FIRST_ROW
    return rows[index] if 0 <= index < len(rows) else None


def relocate(issues: Iterable[Issue], provenance: Provenance) -> list[Issue]:
    """Each issue at the source row its package row came from, a column fault (:func:`relocate_column`) at
    its source column (issues of the whole package unchanged)."""
    out = []
    for i in issues:
        if i.count is not None and i.rows and i.location.row is None:
            out.append(relocate_column(i, provenance))
            continue
        o = _origin(provenance, i.location)
        out.append(dataclasses.replace(i, location=o.place(i.location)) if o else i)
    return out


_INDEX = re.compile(r"\[\d+\]")
_FIRST = re.compile(r"\(first at rows ([0-9]+(?:, [0-9]+)*)\)")


def relocate_column(issue: Issue, provenance: Provenance) -> Issue:
    """A column fault (:mod:`mcds.validation.faults`: a count and the first rows of a package's column) at the
    column of the source its first row came from: that file (and sheet), the column's letter and source name
    (CSV, worksheet), or, from XML, the element's path without the indices (``CHILD/HEADER/ETHNIC``) and the
    first element's line; the first row's child. Its ``rows``: the first rows as the source numbers them
    (Excel's rows; an XML file's lines), those of the same file; the message's "first at rows" the same,
    by file if they come from several (unchanged if one of its rows has no origin)."""
    rows = provenance.tables.get(issue.location.table or "", [])
    if not all(0 <= r - FIRST_ROW < len(rows) for r in issue.rows):
        return issue
    places = [rows[r - FIRST_ROW].place(dataclasses.replace(issue.location, row=r)) for r in issue.rows]
    first = places[0]
    xml = first.row is None and first.line is not None
    name = _INDEX.sub("", first.source_field) if xml and first.source_field else first.source_field
    loc = dataclasses.replace(first, row=None, source_field=name)
    numbers = tuple(n for p in places if _column_of(p) == _column_of(first)
                    for n in [p.line if xml else p.row] if n is not None)
    message = issue.message
    if m := _FIRST.search(message):
        text = _first_at(places[:m.group(1).count(",") + 1])
        message = f"{message[:m.start()]}(first at {text}){message[m.end():]}"
    return dataclasses.replace(issue, location=loc, rows=numbers, message=message)


def _column_of(p: Location) -> tuple[str | None, str | None, str | None]:
    return p.file, p.sheet, p.column


def _first_at(places: list[Location]) -> str:
    """Where the first rows of a column fault are, in words: ``rows 2, 3``, ``lines 7, 9``, an XML file's
    element paths where lines do not tell them apart; each file (and column) named if there are several."""
    files: dict[tuple[str | None, str | None, str | None], list[Location]] = {}
    for p in places:
        files.setdefault(_column_of(p), []).append(p)
    parts = []
    for (file, sheet, column), at in files.items():
        if all(p.row is not None for p in at):
            text = f"row{'s' if len(at) > 1 else ''} {', '.join(str(p.row) for p in at)}"
        elif all(p.line is not None for p in at) and len({p.line for p in at}) == len(at):
            text = f"line{'s' if len(at) > 1 else ''} {', '.join(str(p.line) for p in at)}"
        else:
            text = ", ".join(p.source_field or "?" for p in at)
        if len(files) > 1:
            text = " ".join(x for x in (file, sheet and f"sheet {sheet}", column and f"column {column}", text) if x)
        parts.append(text)
    return "; ".join(parts)


def reports_child_ids(s: Any) -> bool:
    """Whether the report of version ``s`` of the standard gives each issue's child (its report schema says)."""
    items = s.read_json("report.schema.json")["properties"]["issues"]["items"]
    return "child_id" in items.get("properties", {})


CHILD_OF = {  # how each table's rows name their child (interview_episodes through its interview)
    "interview_episodes": "SELECT e._row, i.child_id FROM interview_episodes e JOIN return_interviews i USING (interview_id)",
}


def with_child_ids(issues: list[Issue], con: Any, tables: Iterable[str]) -> list[Issue]:
    """Each issue on a row of a table holding children's identifiers gains the row's ``child_id``
    (read from the typed tables of :mod:`mcds.validation`, which keep each row's number in ``_row``)."""
    import duckdb

    wanted = {i.location.table for i in issues if i.location.row is not None and i.location.child_id is None}
    ids: dict[tuple[str, int], str] = {}
    for t in sorted(wanted & set(tables)):
        sql = CHILD_OF.get(t, f'SELECT _row, child_id FROM "{t}"')
        try:
            ids.update({(t, r): str(c) for r, c in con.execute(sql).fetchall() if c is not None})
        except duckdb.Error:  # a table without child_id, or not loaded: no identifiers to add
            continue
    return [dataclasses.replace(i, location=dataclasses.replace(i.location, child_id=ids[key]))
            if (key := (i.location.table or "", i.location.row or 0)) in ids and i.location.child_id is None else i
            for i in issues]


def apply(issues: list[Issue], path: Path | str) -> tuple[list[Issue], list[str]]:
    """The issues of the package at ``path`` in its sources' coordinates, if a provenance file
    beside it still matches it; and notes saying so, or why not."""
    provenance, problem = read(path)
    if provenance is None:
        return issues, [problem] if problem else []
    note = (f"Converted with mcds convert {provenance.converter}: issues are given in the files converted "
            f"(as recorded in {sidecar(path).name}).")
    return relocate(issues, provenance), [note]
