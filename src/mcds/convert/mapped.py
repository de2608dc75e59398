"""A council's own spreadsheet or case-management export (CSV or XLSX), through a mapping file.

The mapping (YAML, validated by :class:`Mapping`) names, for each source file, the standard's
tables it fills and, for each field, the source column (or a constant, or a template over
columns), a value map (``Absent: away``) and date formats. One source row can fill several
tables: a missing-episode export row can also give a return interview and its link. A source
row is written when every table it fills could take it; otherwise it is rejected as a whole,
with an issue naming the file, row and column. Where each written row came from (its file, sheet,
row and columns) is kept beside the package, so that the validator reports issues in the export's
own coordinates (:mod:`mcds.convert.provenance`).

    mapping_version: 1
    council: {la: "886", year: 2025}
    sources:
      - file: "FACT_MISSING_PERSON*.csv"
        tables:
          missing_episodes:
            fields:
              episode_id: FACT_MISSING_PERSON_ID
              episode_type: {column: MISSING_STATUS, values: {Missing: missing, Absent: away}}
              start_date: {column: START_DTTM, format: "%Y-%m-%d %H:%M:%S.%f"}
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from mcds import standard as std
from mcds.convert.base import (
    ConversionReport,
    YAMLLoader,
    added_since,
    cell_location,
    collection_period,
    finish,
    link_placements,
    make_metadata,
    parse_stamp,
    read_csv_rows,
    resolve_council,
    standard_order,
)
from mcds.convert.provenance import Origin, Provenance, RowOrigin
from mcds.errors import InputError
from mcds.issues import column_letter
from mcds.safety import load_yaml
from mcds.submission import Submission

__all__ = ["FieldMap", "Mapping", "convert_mapped", "fill_template", "load_mapping", "template_parts"]

ISO_FORMATS = ("%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f")
DEFAULT_FORMATS = ("%d/%m/%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", *ISO_FORMATS)
TIME_FORMATS = ("%H:%M:%S", "%H:%M")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldMap(_Strict):
    """How one field of the standard is filled: from a column, a constant or a template."""

    column: str | None = Field(None, description="The source column (its header, exactly as in the file).",
                               examples=["MISSING_STATUS"])
    value: str | None = Field(None, description="A constant for every row.", examples=["none_known"])
    template: str | None = Field(None, description="Text with {COLUMN} placeholders, e.g. 'RI-{EPISODE_ID}' "
                                                   "({{ and }} for a brace itself).", examples=["RI-{FACT_MISSING_PERSON_ID}"])
    values: dict[str, str | None] | None = Field(
        None, description="Value map, matched ignoring case and stray spaces, e.g. {Absent: away}.",
        examples=[{"Missing": "missing", "Absent": "away", "NA": None}])
    other: str | None = Field(
        None, description="For values not in the value map; `null` leaves them empty (default: carried over as found).",
        examples=["false"])
    default: str | None = Field(None, description="For empty cells.", examples=["false"])
    format: str | list[str] | None = Field(None, description="strptime format(s) of dates and times in this column.",
                                           examples=["%d/%m/%Y %H:%M", ["%d/%m/%Y", "%Y-%m-%d"]])

    @field_validator("values", mode="before")
    @classmethod
    def _text_keys(cls, v: Any) -> Any:
        """``1: M`` or ``Yes: true`` written without quotes still mean text."""
        if isinstance(v, dict):
            return {_as_text(k): (None if x is None else _as_text(x)) for k, x in v.items()}
        return v

    @field_validator("value", "other", "default", mode="before")
    @classmethod
    def _text(cls, v: Any) -> Any:
        return None if v is None else _as_text(v)

    @field_validator("template")
    @classmethod
    def _plain_placeholders(cls, v: str | None) -> str | None:
        if v is not None:
            template_parts(v)  # ValueError: named with the field by the mapping's error message
        return v

    @model_validator(mode="after")
    def _one_source(self) -> FieldMap:
        given = [k for k in ("column", "value", "template") if getattr(self, k) is not None]
        if len(given) != 1:
            msg = "give exactly one of column, value or template" + (f" (got {', '.join(given)})" if given else "")
            raise ValueError(msg)
        return self

    @property
    def formats(self) -> tuple[str, ...]:
        if self.format is None:
            return ()
        return (self.format,) if isinstance(self.format, str) else tuple(self.format)

    def columns(self) -> list[str]:
        if self.column:
            return [self.column]
        if self.template:
            return [name for kind, name in template_parts(self.template) if kind == "column"]
        return []


# A template is text, {{ and }} (a brace itself) and {COLUMN}: a column's name, nothing more. No
# format specs ({ID:>400000000} writes 400 MB a cell), conversions ({ID!r}), attributes ({ID.x}),
# indexes ({ID[0]}) or positions ({0}): the columns are filled in here, never by str.format.
_TEMPLATE_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}:!.\[\]]*)\}|[^{}]+|(.)", re.DOTALL)


@functools.lru_cache(maxsize=256)
def template_parts(template: str) -> tuple[tuple[Literal["text", "column"], str], ...]:
    """A template as its pieces: ("text", literal) and ("column", name). ValueError, saying what is
    wrong and where, for anything but plain {COLUMN} placeholders."""
    parts: list[tuple[Literal["text", "column"], str]] = []
    for m in _TEMPLATE_TOKEN.finditer(template):
        token, name, stray = m.group(), m.group(1), m.group(2)
        if stray is not None:
            rest = template[m.start():]
            close = rest.find("}")
            what = rest[: close + 1] if stray == "{" and close > 0 else stray
            raise ValueError(f"the template has '{what[:60]}' at character {m.start() + 1}: only plain "
                             "{COLUMN} placeholders are allowed (no format specs, conversions, attributes or "
                             "indexes); write {{ or }} for a brace itself")
        if name is not None:
            if not name.strip() or name.strip().isdigit():
                raise ValueError(f"the template has '{token[:60]}' at character {m.start() + 1}: a placeholder "
                                 "names a column, {COLUMN}")
            parts.append(("column", name))
        else:
            parts.append(("text", token[0] if token in ("{{", "}}") else token))
    return tuple(parts)


def fill_template(template: str, cells: dict[str, str | None]) -> str | None:
    """The template with each {COLUMN} replaced by that column's cell; None if any of them is empty."""
    out = []
    for kind, text in template_parts(template):
        if kind == "column":
            value = cells.get(text)
            if value is None:
                return None
            out.append(value)
        else:
            out.append(text)
    return "".join(out)


class When(_Strict):
    """Fill the table only for rows whose column holds one of the values (ignoring case)."""

    column: str = Field(description="The source column to look at.", examples=["RETURN_INTERVIEW_OFFERED"])
    equals: list[str] = Field(description="The values (ignoring case and stray spaces) for which the table is filled.",
                              examples=[["Yes", "Y"]])


def _column_shorthand(schema: dict[str, Any]) -> None:
    """In the JSON Schema too, a field may be given as just its column's name."""
    schema["properties"]["fields"]["additionalProperties"]["anyOf"].insert(
        1, {"type": "string", "description": "The source column (shorthand for {column: ...})."})


class TableMap(_Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=_column_shorthand)

    when: When | None = Field(None, description="Fill the table only from some rows of the source (default: from every row).",
                              examples=[{"column": "RETURN_INTERVIEW_OFFERED", "equals": ["Yes", "Y"]}])
    fields: dict[str, FieldMap | None] = Field(
        description="For each field of the table, how it is filled; a field left out (or `null`) stays empty.",
        examples=[{"child_id": "DIM_PERSON_ID", "episode_type": {"column": "MISSING_STATUS", "values": {"Absent": "away"}}}])

    @field_validator("fields", mode="before")
    @classmethod
    def _shorthand(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {k: ({"column": x} if isinstance(x, str) else x) for k, x in v.items()}
        return v


class Source(_Strict):
    file: str = Field(description="File name or glob pattern (e.g. 'FACT_MISSING_PERSON*.csv'), matched ignoring case "
                                  "among the inputs by name: a folder before it (C:\\Exports\\ or exports/) is ignored.",
                      examples=["FACT_MISSING_PERSON*.csv", "mosaic_export.xlsx"])
    sheet: str | None = Field(None, description="For XLSX: the sheet (default: the first visible sheet).",
                              examples=["Missing steps"])
    optional: bool = Field(False, description="Skip this source, with a note, when no input matches it (default: refuse).",
                           examples=[True])
    tables: dict[str, TableMap] = Field(description="The tables of the standard each row of the source fills.",
                                        examples=[{"children": {"fields": {"child_id": "PERSONID"}}}])

    @property
    def name(self) -> str:
        """The file's name or pattern without a folder before it, written with either separator (a path
        copied from Windows Explorer, with its drive letter, or a POSIX one)."""
        return PureWindowsPath(self.file).name or self.file


class Council(_Strict):
    la: str | None = Field(None, description="The council: its 3-digit DfE code or 9-character ONS code "
                                             "(`--la` overrides it).", examples=["886", "E10000016"])
    year: int | None = Field(None, description="The collection year, by the year it ends: 2025 is April 2024 to March "
                                               "2025 (`--year` overrides it).", examples=[2025])

    @field_validator("la", mode="before")
    @classmethod
    def _code(cls, v: Any) -> Any:
        return f"{v:03d}" if isinstance(v, int) and not isinstance(v, bool) else v


def _as_text(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


class Mapping(_Strict):
    mapping_version: Literal[1] = Field(1, description="The version of the mapping file's own format.", examples=[1])
    council: Council = Field(Council(), description="Whose data it is, and for which year.",
                             examples=[{"la": "886", "year": 2025}])
    date_formats: list[str] = Field(default_factory=list, description="Date formats tried for every date column.",
                                    examples=[["%Y-%m-%d %H:%M:%S.%f"]])
    midnight_means_no_time: bool = Field(
        True, description="A time of 00:00 in a date-and-time column means the time was not recorded.", examples=[False])
    link_placements: bool = Field(
        False, description="Link each missing episode without a placement to the placement it started in.", examples=[True])
    not_collected: list[str] = Field(
        default_factory=list, description="The tables and table.field the system does not hold: the submission says "
                                          "so, and statistics that need them are shown as not available (x), never as 0.",
        examples=[["missing_episodes.police_risk_level", "nrm_referrals"]])
    standard_version: str | None = Field(
        None, description="The version of the standard the mapping was written for (without it, 1.0): what later "
                          "versions added and the mapping does not map is listed as not collected, not left blank.",
        examples=["1.1"])
    sources: list[Source] = Field(description="The export's files (or sheets), each with the tables it fills.",
                                  examples=[[{"file": "DIM_PERSON*.csv", "tables": {"children": {"fields": {
                                      "child_id": "DIM_PERSON_ID"}}}}]])

    @field_validator("standard_version", mode="before")
    @classmethod
    def _version(cls, v: Any) -> Any:
        if v is not None and str(v) not in std.supported_versions():
            raise ValueError(f"'{v}' is not a version of the standard ({', '.join(std.supported_versions())})")
        return None if v is None else str(v)

    def maps(self) -> set[str]:
        """Every table and ``table.field`` a source fills."""
        out = set()
        for src in self.sources:
            for tname, tmap in src.tables.items():
                out |= {tname, *(f"{tname}.{f}" for f, fm in tmap.fields.items() if fm is not None)}
        return out

    def not_collected_in(self) -> list[str]:
        """What the mapping says is not collected, and what versions after the one it was written for
        added that it does not map."""
        mapped = self.maps()
        later = [x for x in added_since(self.standard_version or "1.0") if x not in mapped]
        return standard_order([*self.not_collected, *later])

    @model_validator(mode="after")
    def _known_names(self) -> Mapping:
        s = std.load()
        problems = []
        for i, src in enumerate(self.sources):
            for tname, tmap in src.tables.items():
                if tname not in s.tables:
                    problems.append(f"sources[{i}].tables: '{tname}' is not a table of the standard "
                                    f"({', '.join(s.tables)})")
                    continue
                names = s.tables[tname].field_names
                problems.extend(f"sources[{i}].tables.{tname}: '{f}' is not a field of {tname}"
                                + _suggest(f, names) for f in tmap.fields if f not in names)
        for item in self.not_collected:
            table, _, name = item.partition(".")
            if table not in s.tables or (name and name not in s.tables[table].field_names):
                problems.append(f"not_collected: '{item}' is not a table or table.field of the standard")
        if problems:
            raise ValueError("; ".join(problems))
        return self


def _suggest(word: str, choices: Iterable[str]) -> str:
    from rapidfuzz import process

    best = process.extractOne(word, list(choices), score_cutoff=70)
    return f" (did you mean '{best[0]}'?)" if best else ""


def load_mapping(path: Path) -> Mapping:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(path, "the mapping is not UTF-8 text; save it as UTF-8", where=f"byte {exc.start}") from None
    except OSError as exc:
        raise InputError(path, f"cannot read the mapping ({exc.strerror})") from None
    data = load_yaml(path, text, loader=YAMLLoader)  # alias bombs and runaway nesting refused
    try:
        return Mapping.model_validate(data)
    except ValidationError as exc:
        lines = []
        for e in exc.errors():
            where = ".".join(str(p) for p in e["loc"]) or "(top level)"
            lines.append(f"{where}: {e['msg'].removeprefix('Value error, ')}")
        raise InputError(path, "the mapping is not valid:\n  " + "\n  ".join(lines)) from None


GAP = re.compile(r"^\s*(?P<key>[^#\s][^#]*?):\s*null\s*#\s*GAP\b:?\s*(?P<what>.*)$")


def mapping_gaps(path: Path) -> list[tuple[int, str, str]]:
    """The gaps ``mcds mapping init`` marked and nobody filled: (line, key, what it needs) of each
    ``KEY: null  # GAP: ...`` line of the mapping, and each ``# GAP:`` comment of a source it could not match."""
    gaps = []
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return []  # load_mapping says why
    for n, line in enumerate(text.splitlines(), start=1):
        m = GAP.match(line)
        if m:
            gaps.append((n, m["key"].strip().strip("'\""), m["what"].strip()))
        elif re.match(r"^\s*#\s*GAP:", line):
            gaps.append((n, "", line.split("GAP:", 1)[1].strip()))
    return gaps


def refuse_gaps(path: Path, *, council_given: bool) -> None:
    """Refuse a mapping whose gaps are still open (each affected value would be converted blank),
    listing them; the council's code and year need not be filled in when given as options."""
    gaps = [g for g in mapping_gaps(path) if not (council_given and g[1] in ("la", "year"))]
    if gaps:
        listed = "\n  ".join(f"line {n}: {key + ': ' if key else ''}{what}" for n, key, what in gaps)
        raise InputError(path, f"the mapping still has {len(gaps)} gap(s) marked by `mcds mapping init`; fill each "
                               f"in (or delete its line) and convert again:\n  {listed}")


# ---------------------------------------------------------------- reading sources


@dataclass
class SourceTable:
    file: str
    sheet: str | None
    header: list[str]
    rows: Iterator[tuple[int, list[str | None]]]


def _inputs(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(q for q in p.iterdir() if q.is_file() and q.suffix.lower() in (".csv", ".xlsx")))
        elif p.is_file():
            files.append(p)
        else:
            raise InputError(p, "no such file or folder")
    return files


def open_source(path: Path, sheet: str | None, workbooks: dict[Path, list[Any]] | None = None) -> SourceTable:
    """A source table: a CSV file, or a sheet of an XLSX file (``workbooks`` caches workbooks already read)."""
    if path.suffix.lower() == ".xlsx":
        from mcds.workbook import read_workbook_raw

        workbooks = {} if workbooks is None else workbooks
        if path not in workbooks:
            workbooks[path] = read_workbook_raw(path)
        sheets = workbooks[path]
        chosen = [s for s in sheets if (s.name.strip().casefold() == sheet.strip().casefold() if sheet else not s.hidden)]
        if not chosen:
            raise InputError(path, f"no sheet named '{sheet}'" if sheet else "no visible sheet")
        s = chosen[0]
        return SourceTable(path.name, s.name, [(h or "").strip() for h in s.header],
                           iter([(n, [(c.strip() or None) if c else None for c in cells]) for n, cells in s.rows
                                 if any(cells)]))
    header, rows = read_csv_rows(path)
    return SourceTable(path.name, None, header, rows)


# ---------------------------------------------------------------- converting


class _Reject(Exception):
    def __init__(self, table: str, field: str, column: str | None, reason: str) -> None:
        self.table, self.field, self.column, self.reason = table, field, column, reason


def _must_have(t: std.Table) -> list[str]:
    """Fields without which a row cannot be represented: its keys, the child, a required date."""
    out = list(t.primary_key)
    if "child_id" in t.field_names and "child_id" not in out:
        out.append("child_id")
    out.extend(f.name for f in t.fields if f.required and f.type == "date" and f.name not in out)
    return out


class _Converter:
    def __init__(self, mapping: Mapping) -> None:
        self.m = mapping
        self.s = std.load()
        self._formats: dict[int, tuple[str, ...]] = {}
        self._maps: dict[int, dict[str, str | None]] = {}
        self._plans: dict[int, list] = {}  # type: ignore[type-arg]

    def formats(self, fm: FieldMap) -> tuple[str, ...]:
        key = id(fm)
        if key not in self._formats:
            self._formats[key] = tuple(dict.fromkeys((*fm.formats, *self.m.date_formats, *DEFAULT_FORMATS)))
        return self._formats[key]

    def value_map(self, fm: FieldMap) -> dict[str, str | None]:
        key = id(fm)
        if key not in self._maps:
            self._maps[key] = {k.strip().casefold(): v for k, v in (fm.values or {}).items()}
        return self._maps[key]

    def value(self, f: std.Field, fm: FieldMap, cells: dict[str, str | None]) -> str | None:
        if fm.value is not None:
            return fm.value
        raw = fill_template(fm.template, cells) if fm.template is not None else cells.get(fm.column or "")
        if raw is None:
            return fm.default
        if fm.values is not None:
            table = self.value_map(fm)
            key = raw.strip().casefold()
            if key in table:
                return table[key]
            if "other" in fm.model_fields_set:  # `other: null` empties values not in the map
                return fm.other
        return self.typed(f, fm, raw)

    def typed(self, f: std.Field, fm: FieldMap, raw: str) -> str:
        """Dates, times and year-months in the standard's form; anything unparseable as found."""
        if f.type not in ("date", "time", "yearmonth"):
            return raw
        found = parse_stamp(raw.strip(), self.formats(fm))
        if found is not None:
            stamp, has_time = found
            if f.type == "date":
                return stamp.date().isoformat()
            if f.type == "yearmonth":
                return f"{stamp.year:04d}-{stamp.month:02d}"
            if not has_time:
                return ""  # a date without a time: no time recorded
            if self.m.midnight_means_no_time and stamp.time() == dt.time(0):
                return ""
            return stamp.time().isoformat(timespec="seconds")
        if f.type == "time":
            for fmt in TIME_FORMATS:
                try:
                    return dt.datetime.strptime(raw, fmt).time().isoformat(timespec="seconds")
                except ValueError:
                    continue
        return raw

    def plan(self, src: Source) -> list[tuple[str, TableMap, list[tuple[std.Field, FieldMap | None]], list[str], set[str]]]:
        """Per table a source fills: its fields with their maps, the fields it must have, the `when` values."""
        key = id(src)
        if key not in self._plans:
            plans = []
            for tname, tmap in src.tables.items():
                t = self.s.tables[tname]
                when = {x.strip().casefold() for x in tmap.when.equals} if tmap.when else set()
                plans.append((tname, tmap, [(f, tmap.fields.get(f.name)) for f in t.fields], _must_have(t), when))
            self._plans[key] = plans
        return self._plans[key]

    def rows_for(self, src: Source, cells: dict[str, str | None]) -> list[tuple[str, dict[str, str | None]]]:
        out = []
        for tname, tmap, fields, must, when in self.plan(src):
            if tmap.when is not None and (cells.get(tmap.when.column) or "").strip().casefold() not in when:
                continue
            row: dict[str, str | None] = {
                f.name: (self.value(f, fm, cells) or None) if fm is not None else None for f, fm in fields}
            for name in must:
                if not row.get(name):
                    fm = tmap.fields.get(name)
                    column = fm.column if fm and fm.column else (fm.columns()[0] if fm and fm.columns() else None)
                    title = self.s.tables[tname].field(name).title.lower()
                    raise _Reject(tname, name, column, f"it has no {title}" + (f" ({column})" if column else " (not mapped)"))
            out.append((tname, row))
        return out


def convert_mapped(paths: Iterable[Path], mapping: Mapping | Path, *, la: str | None = None, year: int | None = None,
                   created: str | None = None) -> tuple[Submission, ConversionReport]:
    if not isinstance(mapping, Mapping):
        refuse_gaps(Path(mapping), council_given=bool(la and year))
    m = load_mapping(mapping) if not isinstance(mapping, Mapping) else mapping
    la = la or m.council.la
    year = year or m.council.year
    if not la or not year:
        raise InputError("--la/--year", "give the council and the collection year (options, or council: in the mapping)")
    start, end = collection_period(year)
    old, new = resolve_council(la, start, end)
    files = _inputs(paths)
    report = ConversionReport("mapped")
    sub = Submission(make_metadata(old, new, start, end, software="convert mapped", created=created,
                                   not_collected=m.not_collected_in() or None))
    conv = _Converter(m)
    prov = Provenance("mapped")  # each written row's source row and columns, for issues in the export's coordinates
    used: set[Path] = set()
    workbooks: dict[Path, list[Any]] = {}
    for src in m.sources:
        matched = [f for f in files if fnmatch.fnmatch(f.name.casefold(), src.name.casefold())]
        if matched and src.name != src.file:
            report.note(f"The mapping names '{src.file}': matched by the name {src.name} among the inputs.")
        if not matched:
            if src.optional:
                report.note(f"No input matches '{src.file}' (optional): skipped.")
                continue
            raise InputError(src.file, "no input file matches this source of the mapping "
                             f"(inputs: {', '.join(f.name for f in files) or 'none'})")
        for path in matched:
            used.add(path)
            _convert_source(conv, src, open_source(path, src.sheet, workbooks), sub, report, prov)
    if m.link_placements:
        linked = link_placements(sub)
        report.note(f"{linked} missing episode(s) linked to the placement they started in.")
    for f in files:
        if f not in used:
            report.note(f"{f.name}: no source of the mapping matches this file; ignored.")
    report.provenance = prov
    return finish(sub, report), report


def _convert_source(conv: _Converter, src: Source, table: SourceTable, sub: Submission, report: ConversionReport,
                    prov: Provenance) -> None:
    index: dict[str, int] = {}
    for i, h in enumerate(table.header):
        index.setdefault(h, i)
    folded = {h.casefold(): i for h, i in index.items()}
    wanted = {c for tm in src.tables.values() for fm in tm.fields.values() if fm for c in fm.columns()}
    wanted |= {tm.when.column for tm in src.tables.values() if tm.when}
    for c in sorted(wanted):
        if c not in index:
            if c.casefold() in folded:
                index[c] = folded[c.casefold()]
                continue
            raise InputError(table.file, f"the mapping names column '{c}', which is not in the header"
                             + _suggest(c, index), where=f"sheet {table.sheet}" if table.sheet else None)
    count = report.source(", ".join(src.tables), table.file, table.sheet)
    columns = {tname: {f: (column_letter(index[fm.columns()[0]] + 1), fm.columns()[0])
                       for f, fm in tm.fields.items() if fm is not None and fm.columns()}
               for tname, tm in src.tables.items()}  # field -> (letter, header): its first column
    for number, cells in table.rows:
        count.read += 1
        values = {c: (cells[i] if i < len(cells) else None) for c, i in index.items() if c in wanted}
        try:
            produced = conv.rows_for(src, values)
        except _Reject as r:
            col = index.get(r.column) if r.column else None
            report.reject(count, "source-row-rejected",
                          cell_location(r.table, table.file, number, col, r.field, table.sheet), reason=r.reason)
            continue
        for tname, row in produced:
            sub.rows(tname).append(row)
            child = columns[tname].get("child_id")
            prov.add(tname, RowOrigin(Origin(table.file, number, None, None, values.get(child[1]) if child else None,
                                             columns[tname], table.sheet)))
        count.written += 1
