"""SSDA903 (the DfE children looked after return) to the standard.

Input: the return's CSV files (recognised by their columns, not their names) or its XML file
(root ``EXPSSDA903``). Header gives the children, UASC their UASC status, Episodes the
placements and Missing the missing episodes; each missing episode is linked to the placement
whose [DECOM, DEC] holds its start date. The column mapping and the code maps, including the
codes that changed between collection years, are data: ``ssda903.yaml`` beside this module.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import posixpath
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mcds import standard as std
from mcds.convert.base import (
    ConversionReport,
    added_since,
    collection_period,
    containing_placement,
    finish,
    iso_or_raw,
    load_data,
    make_metadata,
    parse_date,
    read_csv_rows,
    resolve_council,
    standard_order,
    year_month_or_raw,
)
from mcds.convert.provenance import Origin, Provenance, RowOrigin
from mcds.errors import InputError
from mcds.issues import Location, column_letter
from mcds.submission import Submission

__all__ = ["SourceRow", "convert_ssda903", "read_ssda903"]

Row = dict[str, str | None]


@dataclass
class SourceRow:
    """One row of a 903 table, with where it came from: a CSV file's row as Excel shows it, or an XML
    element's line and path (``CHILD[3]/HEADER/AMISSING[1]``)."""

    table: str
    file: str
    row: int | None
    cells: dict[str, str | None]
    columns: dict[str, int] | None = None  # column index of each name (CSV only)
    path: str | None = None                # XML: the element's path (``row`` is then its line)
    header: str | None = None              # XML: the path of the child's header, which gives CHILD and DOB

    def get(self, name: str) -> str | None:
        return self.cells.get(name)

    def origin(self, fields: dict[str, str]) -> Origin:
        """Where this row is, with the source column of each field in ``fields`` (field -> 903 column)."""
        if self.path is not None:
            tags = _xml_tags()
            up = posixpath.relpath(self.header, self.path) if self.header else None  # CHILD and DOB: the child's header
            columns = {f: (None, f"{up}/{tags.get(c, c)}" if up and c in ("CHILD", "DOB") else tags.get(c, c))
                       for f, c in fields.items()}
            return Origin(self.file, None, self.row, self.path, self.get("CHILD"), columns)
        index = self.columns or {}
        columns = {f: (column_letter(index[c] + 1) if c in index else None, c) for f, c in fields.items()}
        return Origin(self.file, self.row, None, None, self.get("CHILD"), columns)

    def where(self, target_table: str, column: str | None, target_field: str | None) -> Location:
        """The location of ``column`` of this row, as the field ``target_field`` of ``target_table``."""
        key = target_field or ""
        loc = self.origin({key: column} if column else {}).place(target_table, key)
        return loc if target_field else dataclasses.replace(loc, field=None)


def _spec() -> dict[str, Any]:
    return load_data("ssda903")


def _xml_tags() -> dict[str, str]:
    """903 column -> its XML tag, where they differ (CHILD is CHILDID, PLACE is PL)."""
    return {column: tag for tag, column in _spec()["xml"]["renames"].items()}


# ---------------------------------------------------------------- reading


def _expand(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(q for q in p.iterdir() if q.is_file() and q.suffix.lower() in (".csv", ".xml")))
        elif p.is_file():
            files.append(p)
        else:
            raise InputError(p, "no such file or folder")
    if not files:
        raise InputError(", ".join(map(str, paths)) or ".", "no SSDA903 CSV or XML files found")
    return files


def _recognise(header: list[str]) -> tuple[str | None, bool]:
    """The 903 table a header stands for, and whether it is one the converter uses."""
    names = {h.upper() for h in header if h}
    spec = _spec()
    for group, used in (("tables", True), ("ignored_tables", False)):
        for table, cols in spec[group].items():
            if names == set(cols):
                return table, used
    # Extra columns (a council's own additions) are tolerated when every 903 column is present.
    best = None
    for group, used in (("tables", True), ("ignored_tables", False)):
        for table, cols in spec[group].items():
            if set(cols) <= names and (best is None or len(cols) > best[2]):
                best = (table, used, len(cols))
    return (best[0], best[1]) if best else (None, False)


def read_ssda903(paths: Iterable[Path], report: ConversionReport) -> dict[str, list[SourceRow]]:
    """The rows of the Header, Episodes, UASC and Missing tables from CSV files or the XML file."""
    files = _expand(paths)
    xml = [f for f in files if f.suffix.lower() == ".xml"]
    if xml and len(xml) != len(files):
        raise InputError(xml[0], "give either the 903 XML file or the CSV files, not both")
    if len(xml) > 1:
        raise InputError(xml[1], "give one 903 XML file")
    tables = _read_xml(xml[0], report) if xml else _read_csv(files, report)
    if not xml:
        absent = {
            "Episodes": "the submission has no placements",
            "UASC": "no child is recorded as UASC",
            "Missing": "the submission has no missing episodes",
        }
        for table, consequence in absent.items():
            if table not in tables:
                report.note(f"No SSDA903 {table} table among the inputs: {consequence}.")
    if not tables.get("Header"):
        raise InputError(", ".join(f.name for f in files), "no SSDA903 Header table found (columns "
                         + ", ".join(_spec()["tables"]["Header"]) + ")")
    return tables


def _normalise(name: str, value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    return value.upper() if name in _spec()["code_columns"] else value


def _read_csv(files: list[Path], report: ConversionReport) -> dict[str, list[SourceRow]]:
    tables: dict[str, list[SourceRow]] = defaultdict(list)
    for path in files:
        header, rows = read_csv_rows(path)
        table, used = _recognise(header)
        if table is None:
            report.note(f"{path.name}: not an SSDA903 table this converter knows (columns {', '.join(header[:6])}"
                        f"{'...' if len(header) > 6 else ''}); ignored.")
            continue
        if not used:
            report.note(f"{path.name}: the SSDA903 {table} table is not part of the standard; ignored.")
            continue
        extra = [h for h in header if h and h.upper() not in _spec()["tables"][table]]
        if extra:
            report.note(f"{path.name}: columns not in the SSDA903 {table} table ignored: {', '.join(extra)}.")
        columns = {}
        for i, h in enumerate(header):
            columns.setdefault(h.upper(), i)
        count = report.source(table, path.name)
        tables.setdefault(table, [])  # present, even with no rows
        wanted = _spec()["tables"][table]
        for number, cells in rows:
            count.read += 1
            values = {c: _normalise(c, cells[columns[c]] if columns[c] < len(cells) else None) for c in wanted}
            tables[table].append(SourceRow(table, path.name, number, values, columns))
    return tables


def _read_xml(path: Path, report: ConversionReport) -> dict[str, list[SourceRow]]:
    """The Header (with the UASC flag and DUC), Episodes and Missing rows of the XML form; each row's
    place is its element's line and path, so a return on one line still tells its children apart."""
    from mcds.convert.xmlread import parse_with_lines

    root, lines = parse_with_lines(path)
    spec = _spec()
    if root.tag != spec["xml"]["root"]:
        raise InputError(path, f"not an SSDA903 XML file (root element {root.tag}, expected {spec['xml']['root']})")
    renames = spec["xml"]["renames"]

    def values(element: Any) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for e in element:
            if len(e) == 0:
                name = renames.get(e.tag, e.tag)
                out[name] = _normalise(name, e.text)
        return out

    def numbered(parent: Any, tag: str, prefix: str) -> Iterable[tuple[str, Any]]:
        for n, e in enumerate((e for e in parent if e.tag == tag), start=1):
            yield f"{prefix}{tag}[{n}]", e

    tables: dict[str, list[SourceRow]] = defaultdict(list)
    counts = {t: report.source(t, path.name) for t in ("Header", "Episodes", "Missing")}
    for child_path, child in numbered(root, "CHILD", ""):
        if len(child) == 0:
            continue  # a CHILD text element, not a child block
        header = child.find("HEADER")
        block = header if header is not None else child
        head_path = f"{child_path}/HEADER" if header is not None else child_path
        head = values(block)
        head.setdefault("UASC", None)  # the flag is part of every child's header (DfE rule 105)
        counts["Header"].read += 1
        tables["Header"].append(SourceRow("Header", path.name, lines.get(id(block)), head, path=head_path))
        for miss_path, miss in numbered(block, "AMISSING", f"{head_path}/"):
            counts["Missing"].read += 1
            tables["Missing"].append(SourceRow("Missing", path.name, lines.get(id(miss)),
                                               {"CHILD": head.get("CHILD"), "DOB": head.get("DOB"), **values(miss)},
                                               path=miss_path, header=head_path))
        for ep_path, ep in numbered(child, "EPISODE", f"{child_path}/"):
            counts["Episodes"].read += 1
            tables["Episodes"].append(SourceRow("Episodes", path.name, lines.get(id(ep)),
                                                {"CHILD": head.get("CHILD"), **values(ep)}, path=ep_path,
                                                header=head_path))
    tables.setdefault("Missing", [])
    tables.setdefault("Episodes", [])
    return tables


# ---------------------------------------------------------------- converting


def _sex_map(year: int) -> dict[str, str]:
    for span in _spec()["codes"]["SEX"]:
        if span["first_year"] <= year <= span["last_year"]:
            return {str(k): v for k, v in span["map"].items()}
    return {}


def convert_ssda903(paths: Iterable[Path], la: str, year: int, *, cin: Path | None = None,
                    previous: Iterable[Path] | None = None,
                    created: str | None = None) -> tuple[Submission, ConversionReport]:
    """Convert an SSDA903 return (CSV files or XML) for council ``la`` and collection year ``year``;
    with ``previous`` (last year's return, in either form), make the DfE's year-on-year checks too
    (:mod:`mcds.convert.ssda903_previous`).

    The report's ``provenance`` says where each written row came from (:mod:`mcds.convert.provenance`)."""
    from mcds.convert import ssda903_checks as checks

    start, end = collection_period(year)
    old, new = resolve_council(la, start, end)
    report = ConversionReport("ssda903")
    tables = read_ssda903(paths, report)
    checks.check_year(tables, year, _spec()["dates"])
    spec = _spec()
    # Without the CIN census, a 903 return says nothing about trafficking or assessment factors.
    not_collected = [x for x in spec["not_collected"] if not (cin and x == "children.cin_factors")]
    mapped = {f"{table}.{name}" for table, fields in spec["fields"].items() for name in fields}
    not_collected += [x for x in added_since(spec["standard_version"]) if x not in mapped]
    if cin is None:
        not_collected.append("children.trafficking_concern")
    sub = Submission(make_metadata(old, new, start, end, software="convert ssda903", created=created,
                                   not_collected=standard_order(not_collected)))
    formats = spec["dates"]
    tables = checks.clashes(tables, report)
    checks.agree_with_header(tables, report, formats)
    checks.after_year(tables, report, end, formats)
    checks.ages(tables, report, start, formats)
    if previous is not None:
        from mcds.convert.ssda903_previous import compare_with_previous, read_previous

        last = checks.clashes(read_previous(previous, tables, year, formats), ConversionReport("ssda903"))
        compare_with_previous(tables, last, report, year, formats, (_sex_map(year), _sex_map(year - 1)))
    m = _Mapper(year, report)
    prov = Provenance("ssda903")
    _children(tables, m, sub, report, prov, start)
    placements = _placements(tables, m, sub, report, formats, prov)
    _missing(tables, m, placements, sub, report, formats, prov)
    used = {source for fields in spec["fields"].values() for source in fields.values()}
    dropped = [c for t in ("Header", "Episodes") for c in spec["tables"][t] if f"{t}.{c}" not in used]
    report.note(f"Not carried over (not in the standard): {', '.join(dropped)}; dates of birth are kept as year and month.")
    if cin is not None:
        from mcds.convert.cin import enrich_with_cin

        enrich_with_cin(sub, cin, report, old_la_code=old, provenance=prov)
    report.provenance = prov
    return finish(sub, report), report


class _Mapper:
    """Turns rows of a 903 table into fields of the standard, as ``ssda903.yaml`` says: which column
    fills which field, the year's code maps, and dates in the form of the field's type."""

    def __init__(self, year: int, report: ConversionReport) -> None:
        spec = _spec()
        self.report = report
        self.formats = spec["dates"]
        self.codes = {"SEX": _sex_map(year), "MISSING": spec["codes"]["MISSING"]}
        self.s = std.load()
        # target table -> source table -> [(field, column)]
        self.fields: dict[str, dict[str, list[tuple[std.Field, str]]]] = defaultdict(lambda: defaultdict(list))
        for target, fields in spec["fields"].items():
            for name, source in fields.items():
                table, column = source.split(".")
                self.fields[target][table].append((self.s.tables[target].field(name), column))

    def columns(self, target: str, table: str) -> dict[str, str]:
        """Field -> the 903 column filling it, for rows of ``table`` written to ``target``."""
        return {f.name: column for f, column in self.fields[target][table]}

    def row(self, target: str, r: SourceRow) -> Row | None:
        """The fields ``r`` gives, or None (with the rejection counted) if the row cannot be represented."""
        out: Row = {}
        for f, column in self.fields[target][r.table]:
            value = r.get(column)
            if value is not None and column in self.codes:
                value = self.codes[column].get(value, value)  # not a code of the year: carried over as found
            elif f.type == "date":
                value = iso_or_raw(value, self.formats)
            elif f.type == "yearmonth":
                value = year_month_or_raw(value, self.formats)
            out[f.name] = value
        for f, column in self.fields[target][r.table]:
            if not out[f.name] and (f.name == "child_id" or (f.required and f.type == "date")):
                self.report.reject(self.report.source(r.table, r.file), "source-row-rejected",
                                   r.where(target, column, f.name), reason=f"it has no {f.title.lower()} ({column})")
                return None
        return out


def _children(tables: dict[str, list[SourceRow]], m: _Mapper, sub: Submission, report: ConversionReport,
              prov: Provenance, period_start: dt.date) -> None:
    """Header rows as children; UASC from the UASC table (CSV) or the header's UASC flag and DUC (XML)."""
    from mcds.convert.ssda903_checks import uasc_from_flag, uasc_in_period

    columns = m.columns("children", "Header")
    origins: list[tuple[SourceRow, dict[str, SourceRow]]] = []  # each child's row, and the UASC row filling its UASC
    by_id: dict[str, tuple[Row, dict[str, SourceRow]]] = {}
    for r in tables.get("Header", []):
        row = m.row("children", r)
        if row is None:
            continue
        row.update(uasc="false", trafficking_concern="none_known")  # UASC from the UASC table; CIN may say more
        if r.path is not None:  # XML: the flag and DUC are the header's own
            uasc_from_flag(row, r, report, period_start, m.formats)
        sub.rows("children").append(row)
        fields: dict[str, SourceRow] = {}
        origins.append((r, fields))
        by_id.setdefault(row["child_id"] or "", (row, fields))
        report.source("Header", r.file).written += 1
    for r in tables.get("UASC", []):
        count = report.source("UASC", r.file)
        child = r.get("CHILD")
        found = by_id.get(child or "")
        if found is None:
            rule = _spec()["checks"]["orphans"]["UASC"]
            report.reject(count, "source-row-rejected", r.where("children", "CHILD", "child_id"), value=child,
                          reason=f"the child is not in the Header table (SSDA903 rule {rule})" if child
                          else "it has no child identifier (CHILD)")
            continue
        target, fields = found
        target.update(uasc="true", **(m.row("children", r) or {}))
        uasc_in_period(target, r, report, period_start, m.formats)
        fields.update(uasc=r, uasc_end_date=r)
        count.written += 1
    xml_columns = {**columns, "uasc": "UASC", "uasc_end_date": "DUC"}
    uasc_columns = {"uasc": "CHILD", **m.columns("children", "UASC")}  # UASC: the child is in the UASC table
    for r, fields in origins:
        prov.add("children", RowOrigin(r.origin(xml_columns if r.path is not None else columns),
                                       {f: s.origin(uasc_columns) for f, s in fields.items()}))


def _sorted_by_date(rows: list[tuple[SourceRow, Row]], key: str, formats: list[str]) -> list[tuple[SourceRow, Row]]:
    return sorted(rows, key=lambda p: parse_date(p[1][key], formats) or dt.date.max)


def _placements(tables: dict[str, list[SourceRow]], m: _Mapper, sub: Submission, report: ConversionReport,
                formats: list[str], prov: Provenance) -> dict[str, list[Row]]:
    by_child: dict[str, list[tuple[SourceRow, Row]]] = defaultdict(list)
    for r in tables.get("Episodes", []):
        count = report.source("Episodes", r.file)
        row = m.row("placements", r)
        if row is None:
            continue
        child = row["child_id"] or ""
        by_child[child].append((r, row))
        count.written += 1
    # Identifiers are numbered through the file (child by child, by start date) and never contain
    # the child's identifier, which pseudonymisation replaces: an id built on it would give it away.
    out: dict[str, list[Row]] = {}
    columns = m.columns("placements", "Episodes")
    n = 0
    table = sub.rows("placements")
    for child, rows in by_child.items():
        ordered = []
        for r, row in _sorted_by_date(rows, "start_date", formats):
            n += 1
            ordered.append({"placement_id": f"P{n}", **row})
            prov.add("placements", RowOrigin(r.origin(columns)))
        out[child] = ordered
        table.extend(ordered)
    return out


def _missing(tables: dict[str, list[SourceRow]], m: _Mapper, placements: dict[str, list[Row]], sub: Submission,
             report: ConversionReport, formats: list[str], prov: Provenance) -> None:
    by_child: dict[str, list[tuple[SourceRow, Row]]] = defaultdict(list)
    for r in tables.get("Missing", []):
        count = report.source("Missing", r.file)
        row = m.row("missing_episodes", r)
        if row is None:
            continue
        child = row["child_id"] or ""
        start = row["start_date"] or ""
        row["placement_id"] = containing_placement(placements.get(child, []), parse_date(start, ("%Y-%m-%d",)))
        row["end_reason"] = None if row["end_date"] else "still_missing"
        if row["end_date"] and any(p.get("end_reason") == "E8" and p.get("end_date") == row["end_date"]
                                   for p in placements.get(child, [])):
            # care ended with E8 on the day the episode ended: the child stopped being looked after while
            # still missing (SSDA903 rule 580), not found
            row["end_reason"] = "ceased_looked_after"
        by_child[child].append((r, row))
        count.written += 1
    table = sub.rows("missing_episodes")
    columns = {**m.columns("missing_episodes", "Missing"), "end_reason": "MIS_END", "placement_id": "MIS_START"}
    for rows in by_child.values():
        for r, row in _sorted_by_date(rows, "start_date", formats):
            table.append({"episode_id": f"M{len(table) + 1}", **row})
            prov.add("missing_episodes", RowOrigin(r.origin(columns)))
