"""``mcds check-ees``: the checks of the DfE's screener (eesyscreener) that concern the files
``mcds stats`` writes, reimplemented. The checks and their messages are data
(``ees_checks.csv``). As in the screener, checks run in stages and stop after the first stage
that fails, since later stages rely on what earlier ones establish.

Geography is checked against the standard's council codelist (the DfE lookup) and the
country of ``statistics.json``.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from mcds import standard as std
from mcds.errors import InputError
from mcds.issues import Issue, Location, Report, Severity, column_letter
from mcds.stats.config import publication
from mcds.stats.ees import GEOGRAPHY_COLUMNS, LOCAL_AUTHORITY, NATIONAL, REGIONAL, TIME_COLUMNS

__all__ = ["CHECKS", "check_ees"]

REQUIRED_DATA = ("time_period", "time_identifier", "geographic_level", "country_code", "country_name")
REQUIRED_META = ("col_name", "col_type", "label", "indicator_grouping", "indicator_unit", "indicator_dp",
                 "filter_hint", "filter_grouping_column")
OPTIONAL_META = ("filter_default", "parent_filter")
UNITS = ("", "%", "pp", "£", "£m", "numberstring")
SYMBOLS = ("c", "x", "z", "low")
LEGACY = ("~", ":")
NULLS = ("NULL", "Null", "null", "NA", "na", "N/A", "n/a", ".", "..", "-")
# time identifiers that may be mixed in one file, and the digits of their periods
TIME_GROUPS: dict[str, tuple[tuple[str, ...], int]] = {
    "calendar": (("Calendar year",), 4),
    "reporting": (("Reporting year",), 4),
    "academic": (("Academic year",), 6),
    "financial": (("Financial year", "Financial year Q1", "Financial year Q2", "Financial year Q3",
                   "Financial year Q4", "Part 1 (April to September)", "Part 2 (October to March)"), 6),
    "tax": (("Tax year",), 6),
    "term": (("Autumn term", "Spring term", "Summer term", "Autumn and spring term"), 6),
    "month": (("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December"), 4),
    "week": (tuple(f"Week {n}" for n in range(1, 53)), 4),
}
# code and name columns of each geographic level this toolkit publishes; other EES levels are
# recognised but not checked against a lookup
LEVEL_COLUMNS = {
    NATIONAL: ("country_code", "country_name"),
    REGIONAL: ("region_code", "region_name"),
    LOCAL_AUTHORITY: ("old_la_code", "new_la_code", "la_name"),
}
OTHER_LEVELS = ("Local authority district", "RSC region", "Parliamentary constituency",
                "Local skills improvement plan area", "Local enterprise partnership", "English devolved area",
                "Opportunity area", "Ward", "MAT", "Sponsor", "School", "Provider", "Institution", "Planning area",
                "Police force area")
FILE_NAME = re.compile(r"[a-z0-9_-]+")
SNAKE = re.compile(r"[a-z][a-z0-9_]*")
NUMBER = re.compile(r"-?\d+(\.(\d+))?")


@dataclass(frozen=True, slots=True)
class Check:
    code: str
    stage: str
    severity: Severity
    title: str
    message: str
    guidance: str


@functools.cache
def _checks() -> dict[str, Check]:
    text = (resources.files("mcds.stats") / "ees_checks.csv").read_text(encoding="utf-8")
    return {r["code"]: Check(r["code"], r["stage"], Severity(r["severity"]), r["title"], r["message"], r["guidance"])
            for r in csv.DictReader(io.StringIO(text))}


CHECKS = _checks()
STAGES = tuple(dict.fromkeys(c.stage for c in CHECKS.values()))


def _issue(code: str, location: Location, value: str | None = None, **params: object) -> Issue:
    check = CHECKS[code]
    values = {"field": location.field, "value": value, **params}
    message = check.message.format_map({k: "" if v is None else v for k, v in values.items()})
    return Issue(code=code, severity=check.severity, message=message, location=location, value=value)


@dataclass
class Table:
    name: str
    header: list[str]
    rows: list[list[str]]

    def col(self, name: str) -> int:
        return self.header.index(name)

    def cell(self, r: int, name: str) -> str:
        row = self.rows[r]
        i = self.col(name)
        return row[i] if i < len(row) else ""

    def at(self, r: int | None = None, field: str | None = None) -> Location:
        column = column_letter(self.col(field) + 1) if field in self.header else None
        return Location(file=self.name, row=None if r is None else r + 2, column=column, field=field)


def _read(path: Path) -> Table:
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    if not rows:
        raise ValueError("the file is empty")
    return Table(path.name, rows[0], [r for r in rows[1:] if r != []])


class _Run:
    """The state the stages share."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.data: Table | None = None
        self.meta: Table | None = None
        self.pairs: list[str] = []
        self.pair = ""
        self.pub = publication()
        self.councils = std.load().codelist("council")

    # ------------------------------------------------------------------ stages

    def filename(self) -> Iterator[Issue]:
        csvs = sorted(p.name for p in self.folder.iterdir() if p.is_file() and p.name.endswith(".csv"))
        metas = {n for n in csvs if n.endswith(".meta.csv")}
        datas = [n for n in csvs if n not in metas]
        for n in csvs:
            stem = n.removesuffix(".csv").removesuffix(".meta")
            if " " in n:
                yield _issue("ees-filename-spaces", Location(file=n), n)
            elif not FILE_NAME.fullmatch(stem):
                yield _issue("ees-filename-special", Location(file=n), n)
        for n in datas:
            if n.removesuffix(".csv") + ".meta.csv" not in metas:
                yield _issue("ees-filenames-match", Location(file=n), n, expected=n.removesuffix(".csv") + ".meta.csv")
        for n in sorted(metas):
            if n.removesuffix(".meta.csv") + ".csv" not in datas:
                yield _issue("ees-filenames-match", Location(file=n), n, expected=n.removesuffix(".meta.csv") + ".csv")
        pairs = [n for n in datas if n.removesuffix(".csv") + ".meta.csv" in metas]
        if not pairs:
            yield _issue("ees-no-data-file", Location(), folder=str(self.folder))
        self.pairs = pairs

    def read(self) -> Iterator[Issue]:
        name = self.pair
        for attr, file in (("data", name), ("meta", name.removesuffix(".csv") + ".meta.csv")):
            try:
                setattr(self, attr, _read(self.folder / file))
            except (OSError, ValueError, csv.Error) as exc:
                yield _issue("ees-unreadable", Location(file=file), reason=str(exc))

    def precheck_columns(self) -> Iterator[Issue]:
        d, m = self.data, self.meta
        assert d and m
        for c in REQUIRED_META:
            if c not in m.header:
                yield _issue("ees-meta-column-missing", Location(file=m.name, field=c))
        for c in m.header:
            if c not in REQUIRED_META + OPTIONAL_META:
                yield _issue("ees-meta-column-invalid", m.at(None, c), c)
        for c in REQUIRED_DATA:
            if c not in d.header:
                yield _issue("ees-data-column-missing", Location(file=d.name, field=c))
        if len(d.header) - len(m.rows) < 5:
            yield _issue("ees-too-few-columns", Location(file=d.name), str(len(d.header) - len(m.rows)))

    def precheck_cross_file(self) -> Iterator[Issue]:
        d, m = self.data, self.meta
        assert d and m
        described = set()
        for r in range(len(m.rows)):
            for col in ("col_name", "filter_grouping_column"):
                v = m.cell(r, col)
                if v:
                    described.add(v)
                if v and v not in d.header:
                    yield _issue("ees-meta-not-in-data", m.at(r, col), v)
        for c in d.header:
            if c not in described and c not in TIME_COLUMNS + GEOGRAPHY_COLUMNS + _other_geography_columns():
                yield _issue("ees-data-not-in-meta", d.at(None, c))

    def check_columns(self) -> Iterator[Issue]:
        d, m = self.data, self.meta
        assert d and m
        for c in d.header:
            if not SNAKE.fullmatch(c):
                yield _issue("ees-column-name", d.at(None, c), c)
        # "smushed" indicators: a breakdown written into the indicator's name (male_count)
        inds = [m.cell(r, "col_name") for r in range(len(m.rows)) if m.cell(r, "col_type") == "Indicator"]
        for f in self._filters():
            values = {d.cell(r, f) for r in range(len(d.rows))} - {"Total", ""}
            for v in sorted(values):
                token = "_" + re.sub(r"[^a-z0-9]+", "_", v.lower()).strip("_") + "_"
                for ind in inds:
                    if token != "__" and token in f"_{ind}_":
                        yield _issue("ees-indicator-smushed", d.at(None, ind) if ind in d.header else
                                     Location(file=m.name, field=ind), v, filter=f)

    def precheck_meta(self) -> Iterator[Issue]:
        m = self.meta
        assert m
        observational = set(TIME_COLUMNS + GEOGRAPHY_COLUMNS + _other_geography_columns())
        for r in range(len(m.rows)):
            name = m.cell(r, "col_name")
            if m.cell(r, "col_type") not in ("Filter", "Indicator"):
                yield _issue("ees-meta-col-type", Location(file=m.name, row=r + 2, column=m.at(r, "col_type").column,
                                                           field=name), m.cell(r, "col_type"))
            if name in observational:
                yield _issue("ees-meta-observational", Location(file=m.name, row=r + 2, field=name))

    def check_meta(self) -> Iterator[Issue]:
        m = self.meta
        assert m
        seen: dict[str, int] = {}
        for r in range(len(m.rows)):
            name, kind, label = m.cell(r, "col_name"), m.cell(r, "col_type"), m.cell(r, "label").strip()
            loc = Location(file=m.name, row=r + 2, field=name)
            if not label or label.lower() in seen:
                yield _issue("ees-meta-label", loc)
            seen.setdefault(label.lower(), r)
            wrong = ("indicator_grouping", "indicator_unit", "indicator_dp") if kind == "Filter" else \
                ("filter_hint", "filter_grouping_column", "filter_default", "parent_filter")
            for col in wrong:
                if col in m.header and m.cell(r, col):
                    applies = "indicators" if kind == "Filter" else "filters"
                    yield _issue("ees-meta-wrong-type", loc, m.cell(r, col), setting=col, applies=applies)
            if kind == "Indicator":
                dp = m.cell(r, "indicator_dp")
                if not dp.isdigit():
                    yield _issue("ees-indicator-dp", loc, dp)
                if m.cell(r, "indicator_unit") not in UNITS:
                    yield _issue("ees-indicator-unit", loc, m.cell(r, "indicator_unit"))

    def precheck_time(self) -> Iterator[Issue]:
        d = self.data
        assert d
        first_group: tuple[str, str] | None = None
        reported: set[str] = set()
        for r in range(len(d.rows)):
            period, ident = d.cell(r, "time_period"), d.cell(r, "time_identifier")
            if not period.isdigit():
                yield _issue("ees-time-period", d.at(r, "time_period"), period)
            group = _time_group(ident)
            if group is None:
                if ident not in reported:
                    reported.add(ident)
                    yield _issue("ees-time-identifier", d.at(r, "time_identifier"), ident)
                continue
            if first_group is None:
                first_group = (group, ident)
            elif group != first_group[0] and ident not in reported:
                reported.add(ident)
                yield _issue("ees-time-identifier-mix", d.at(r, "time_identifier"), ident, other=first_group[1])

    def precheck_filters(self) -> Iterator[Issue]:
        d = self.data
        assert d
        for f in self._filters():
            if len({d.cell(r, f) for r in range(len(d.rows))}) < 2:
                yield _issue("ees-filter-single-level", d.at(None, f))

    def precheck_geography(self) -> Iterator[Issue]:
        d = self.data
        assert d
        levels = {d.cell(r, "geographic_level"): r for r in reversed(range(len(d.rows)))}
        for level, r in sorted(levels.items(), key=lambda kv: kv[1]):
            if level not in LEVEL_COLUMNS and level not in OTHER_LEVELS:
                yield _issue("ees-geographic-level", d.at(r, "geographic_level"), level)
                continue
            needed = LEVEL_COLUMNS.get(level, ())
            if level == LOCAL_AUTHORITY:
                needed = (*needed, *LEVEL_COLUMNS[REGIONAL])
            for c in needed:
                if c not in d.header:
                    yield _issue("ees-geography-columns", Location(file=d.name, field=c), level=level)

    def check_time(self) -> Iterator[Issue]:
        d = self.data
        assert d
        for r in range(len(d.rows)):
            period, ident = d.cell(r, "time_period"), d.cell(r, "time_identifier")
            digits = TIME_GROUPS[_time_group(ident) or "reporting"][1]
            if len(period) != digits:
                yield _issue("ees-time-period-digits", d.at(r, "time_period"), period, identifier=ident,
                             expected=f"{digits} digits")
            elif digits == 6 and int(period[2:4]) != (int(period[:4]) + 1) % 100:
                yield _issue("ees-time-period-digits", d.at(r, "time_period"), period, identifier=ident,
                             expected="two consecutive years")

    def check_filters(self) -> Iterator[Issue]:
        d, m = self.data, self.meta
        assert d and m
        defaults = {m.cell(r, "col_name"): m.cell(r, "filter_default") for r in range(len(m.rows))
                    if "filter_default" in m.header}
        for f in self._filters():
            values = [d.cell(r, f) for r in range(len(d.rows))]
            default = defaults.get(f) or "Total"
            if default not in values:
                yield _issue("ees-filter-default", d.at(None, f), default)
            for r, v in enumerate(values):
                if v == "":
                    yield _issue("ees-filter-blank", d.at(r, f))
                elif v != v.strip():
                    yield _issue("ees-filter-whitespace", d.at(r, f), v)
        for c in TIME_COLUMNS + GEOGRAPHY_COLUMNS:
            if c in d.header:
                for r in range(len(d.rows)):
                    if d.cell(r, c).strip().lower() in ("total", "all"):
                        yield _issue("ees-total-in-observational", d.at(r, c), d.cell(r, c))

    def check_geography(self) -> Iterator[Issue]:
        d = self.data
        assert d
        country = self.pub.country
        regions = {(c.extra["region_code"], c.extra["region_name"]) for c in self.councils.codes}
        own = {c for cols in LEVEL_COLUMNS.values() for c in cols}
        for r in range(len(d.rows)):
            level = d.cell(r, "geographic_level")
            if level not in LEVEL_COLUMNS:
                continue
            needed = LEVEL_COLUMNS[level] + (LEVEL_COLUMNS[REGIONAL] if level == LOCAL_AUTHORITY else ())
            blank = [c for c in needed if c in d.header and not d.cell(r, c)]
            for c in blank:
                yield _issue("ees-geography-blank", d.at(r, c), level=level)
            allowed = set(LEVEL_COLUMNS[NATIONAL]) | set(needed)
            for c in [c for c in d.header if c in own - allowed]:
                if d.cell(r, c):
                    yield _issue("ees-geography-overcompleted", d.at(r, c), d.cell(r, c), level=level)
            pair = (d.cell(r, "country_code"), d.cell(r, "country_name"))
            if pair != (country.code, country.name):
                yield _issue("ees-country", d.at(r, "country_code"), " ".join(pair),
                             expected=f"{country.code} {country.name}")
            if blank:
                continue
            if level in (REGIONAL, LOCAL_AUTHORITY):
                pair = (d.cell(r, "region_code"), d.cell(r, "region_name"))
                if pair not in regions:
                    yield _issue("ees-region", d.at(r, "region_code"), " ".join(pair))
            if level == LOCAL_AUTHORITY:
                yield from self._council(d, r)

    def _council(self, d: Table, r: int) -> Iterator[Issue]:
        code = self.councils.by_code.get(d.cell(r, "new_la_code"))
        value = " ".join(d.cell(r, c) for c in ("old_la_code", "new_la_code", "la_name"))
        loc = d.at(r, "new_la_code")
        if code is None or (code.extra["old_la_code"], code.title, code.extra["region_code"]) != \
                (d.cell(r, "old_la_code"), d.cell(r, "la_name"), d.cell(r, "region_code")):
            yield _issue("ees-local-authority", loc, value, reason="")
            return
        window = _period_window(d.cell(r, "time_identifier"), d.cell(r, "time_period"))
        if window is None:
            return
        start, end = window
        valid_from, valid_to = code.extra.get("valid_from") or "0000", code.extra.get("valid_to") or "9999"
        if valid_from > end.isoformat() or valid_to < start.isoformat():
            yield _issue("ees-local-authority", loc, value, reason=f" (in operation {valid_from} to {valid_to or 'now'})")

    def check_general(self) -> Iterator[Issue]:
        d = self.data
        assert d
        keys = [c for c in (*TIME_COLUMNS, *GEOGRAPHY_COLUMNS, *self._filters()) if c in d.header]
        seen: dict[tuple[str, ...], int] = {}
        for r in range(len(d.rows)):
            key = tuple(d.cell(r, c) for c in keys)
            if key in seen:
                yield _issue("ees-duplicate-row", d.at(r), first_row=seen[key] + 2)
            else:
                seen[key] = r
            for c in d.header:
                if d.cell(r, c) in NULLS:
                    yield _issue("ees-null-value", d.at(r, c), d.cell(r, c))

    def check_indicators(self) -> Iterator[Issue]:
        d, m = self.data, self.meta
        assert d and m
        dps = {m.cell(r, "col_name"): m.cell(r, "indicator_dp") for r in range(len(m.rows))
               if m.cell(r, "col_type") == "Indicator"}
        for ind, dp in dps.items():
            if ind not in d.header:
                continue
            places = int(dp) if dp.isdigit() else None
            for r in range(len(d.rows)):
                v = d.cell(r, ind)
                if v == "":
                    yield _issue("ees-indicator-blank", d.at(r, ind))
                elif v in LEGACY:
                    yield _issue("ees-indicator-legacy-symbol", d.at(r, ind), v)
                elif v in SYMBOLS or v in NULLS:
                    continue
                elif not (match := NUMBER.fullmatch(v)):
                    yield _issue("ees-indicator-value", d.at(r, ind), v)
                elif places is not None and len(match.group(2) or "") > places:
                    yield _issue("ees-indicator-decimals", d.at(r, ind), v, expected=places)

    def check_api(self) -> Iterator[Issue]:
        d, m = self.data, self.meta
        assert d and m
        for c in d.header:
            if len(c) > 50:
                yield _issue("ees-api-length", d.at(None, c), c, limit=50, what="column names")
        for r in range(len(m.rows)):
            if len(m.cell(r, "label")) > 100:
                yield _issue("ees-api-length", m.at(r, "label"), m.cell(r, "label"), limit=100, what="labels")
        limits = [(c, 30, "location codes") for c in ("country_code", "region_code", "old_la_code", "new_la_code")]
        limits += [(c, 120, "location names") for c in ("country_name", "region_name", "la_name")]
        limits += [(f, 120, "filter items") for f in self._filters()]
        for c, limit, what in limits:
            if c in d.header:
                for v in sorted({d.cell(r, c) for r in range(len(d.rows))}):
                    if len(v) > limit:
                        yield _issue("ees-api-length", d.at(None, c), v, limit=limit, what=what)

    # ------------------------------------------------------------------ helpers

    def _filters(self) -> list[str]:
        m, d = self.meta, self.data
        assert m and d
        return [m.cell(r, "col_name") for r in range(len(m.rows))
                if m.cell(r, "col_type") == "Filter" and m.cell(r, "col_name") in d.header]


@functools.cache
def _other_geography_columns() -> tuple[str, ...]:
    return ("lad_code", "lad_name", "rsc_region_lead_name", "pcon_code", "pcon_name", "lsip_code", "lsip_name",
            "local_enterprise_partnership_code", "local_enterprise_partnership_name", "english_devolved_area_code",
            "english_devolved_area_name", "opportunity_area_code", "opportunity_area_name", "ward_code", "ward_name",
            "trust_id", "trust_name", "sponsor_id", "sponsor_name", "school_urn", "school_name", "school_laestab",
            "provider_ukprn", "provider_name", "institution_id", "institution_name", "planning_area_code",
            "planning_area_name", "pfa_code", "pfa_name")


def _time_group(identifier: str) -> str | None:
    return next((g for g, (ids, _) in TIME_GROUPS.items() if identifier in ids), None)


def _period_window(identifier: str, period: str) -> tuple[dt.date, dt.date] | None:
    """The dates a period covers, for the identifiers whose dates are known (else None)."""
    if not period.isdigit():
        return None
    if identifier == "Reporting year" and len(period) == 4:  # a DfE collection year ending 31 March
        return dt.date(int(period) - 1, 4, 1), dt.date(int(period), 3, 31)
    if identifier == "Calendar year" and len(period) == 4:
        return dt.date(int(period), 1, 1), dt.date(int(period), 12, 31)
    return None


STAGE_METHODS: tuple[tuple[str, Callable[[_Run], Iterator[Issue]]], ...] = (
    ("filename", _Run.filename),
    ("read", _Run.read),
    ("precheck columns", _Run.precheck_columns),
    ("precheck cross-file", _Run.precheck_cross_file),
    ("check columns", _Run.check_columns),
    ("precheck meta", _Run.precheck_meta),
    ("check meta", _Run.check_meta),
    ("precheck time", _Run.precheck_time),
    ("precheck filters", _Run.precheck_filters),
    ("precheck geography", _Run.precheck_geography),
    ("check time", _Run.check_time),
    ("check filters", _Run.check_filters),
    ("check geography", _Run.check_geography),
    ("check general", _Run.check_general),
    ("check indicators", _Run.check_indicators),
    ("check api", _Run.check_api),
)


def check_ees(folder: Path) -> Report:
    """Screen every EES data file and its metadata file in ``folder``; within a file, a failed
    stage stops the later ones."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(folder, "no such folder")
    first = _Run(folder)
    issues = list(first.filename())
    notes = []
    if not any(i.blocking for i in issues):
        for pair in first.pairs:
            run = _Run(folder)
            run.pair = pair
            stages_run = []
            for stage, method in STAGE_METHODS[1:]:
                found = list(method(run))
                issues += found
                stages_run.append(stage)
                if any(i.blocking for i in found):
                    break
            notes.append(f"{pair}: stages run: {', '.join(stages_run)}")
    return Report.from_issues(issues, std.current_version(), source=str(folder), notes=tuple(notes))
