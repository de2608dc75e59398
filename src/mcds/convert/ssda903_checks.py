"""Checks made on an SSDA903 return before it is converted, each following one of the DfE's rules
(``checks`` in ``ssda903.yaml`` says which): what the standard's own rules cannot see once the
return is converted, because it is in the return's own columns or between its tables.

- :func:`check_year`: the return is for the collection year given (refused otherwise);
- :func:`clashes`: an exact repeat of a whole row is left out (a warning); any other row with the
  same key (a child twice in Header or UASC, two missing episodes of a child starting together) is
  an error naming both rows;
- :func:`agree_with_header`: the Missing and UASC tables' dates of birth and sex are the Header's;
- :func:`after_year`: no child is born, and no episode of care starts or ends, after the year;
- :func:`ages`: the child's date of birth agrees with the dates of care (not looked after before
  birth, nor starting to be at 18 or over, nor over 25 at the start of the year);
- :func:`uasc_from_flag` and :func:`uasc_in_period`: the UASC flag of the XML form and the date
  UASC status ceased, read as the standard defines UASC (at any time in the period).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import TYPE_CHECKING, Any

from mcds.convert.base import ConversionReport, collection_period, iso_or_raw, load_data, parse_date
from mcds.errors import InputError

if TYPE_CHECKING:
    from mcds.convert.ssda903 import SourceRow

__all__ = ["add_years", "after_year", "ages", "agree_with_header", "check_year", "clashes", "dates_of", "in_year",
           "likely_year", "uasc_from_flag", "uasc_in_period", "year_label"]

Tables = dict[str, list["SourceRow"]]
TARGET = {"Header": "children", "UASC": "children", "Missing": "missing_episodes", "Episodes": "placements"}
DATE_COLUMNS = {"DOB", "DUC", "DECOM", "DEC", "MIS_START", "MIS_END"}


def _spec() -> dict[str, Any]:
    return load_data("ssda903")


def _checks() -> dict[str, Any]:
    return _spec()["checks"]


def _field_of(table: str, column: str) -> str | None:
    """The standard's field a 903 column fills (None if it fills none)."""
    for name, source in _spec()["fields"].get(TARGET[table], {}).items():
        if source == f"{table}.{column}":
            return name
    return None


def _value(column: str, text: str | None, formats: list[str]) -> str | None:
    """A cell as compared: dates as ISO dates (01/05/2024 and 2024-05-01 are one date), else as read."""
    return iso_or_raw(text, formats) if column in DATE_COLUMNS else text


def place(r: SourceRow) -> str:
    """A row in words for a message naming another row: ``row 5``, or an XML element's path and line."""
    if r.path is not None:
        return f"{r.path}{f' (line {r.row})' if r.row else ''}"
    return f"row {r.row}"


def year_label(year: int) -> str:
    """Collection year 2025 as people write it: 2024-25."""
    return f"{year - 1}-{year % 100:02d}"


# ---------------------------------------------------------------- the year of the return


def dates_of(tables: Tables, formats: list[str]) -> list[dt.date]:
    """Every date of care and of missing episodes in a return."""
    return [d for t, cols in (("Episodes", ("DECOM", "DEC")), ("Missing", ("MIS_START", "MIS_END")))
            for r in tables.get(t, []) for c in cols if (d := parse_date(r.get(c), formats))]


def likely_year(dates: list[dt.date]) -> int:
    """The collection year most of ``dates`` fall in (the later on a tie)."""
    years = Counter(d.year + (d.month >= 4) for d in dates)
    return max(years, key=lambda y: (years[y], y))


def in_year(tables: Tables, year: int, formats: list[str]) -> bool:
    """Whether a return could be for collection year ``year``: it has no dates at all, or a date of
    care or of a missing episode in the year, or only episodes of care begun before the year and still
    open (children in one placement all year), none ended before it."""
    start, end = collection_period(year)
    dates = dates_of(tables, formats)
    if not dates or any(start <= d <= end for d in dates):
        return True
    ended = [d for t, c in (("Episodes", "DEC"), ("Missing", "MIS_END")) for r in tables.get(t, [])
             if (d := parse_date(r.get(c), formats))]
    return all(d > end for d in ended) and any(
        not r.get("DEC") and (d := parse_date(r.get("DECOM"), formats)) and d < start for r in tables.get("Episodes", []))


def check_year(tables: Tables, year: int, formats: list[str]) -> None:
    """Refuse a return none of whose dates of care or of missing episodes falls in collection year
    ``year`` (nor any episode of care open across it): it was converted with the wrong ``--year`` (its
    children and placements would otherwise pass, with no care at all in the year)."""
    if in_year(tables, year, formats):
        return
    likely = likely_year(dates_of(tables, formats))
    files = sorted({r.file for t in ("Episodes", "Missing") for r in tables.get(t, [])})
    raise InputError(", ".join(files), f"no episode of care or missing episode of the return falls in the collection "
                     f"year {year_label(year)} (1 April {year - 1} to 31 March {year}); most of its dates are in "
                     f"{year_label(likely)}: give the year the return is for (--year {likely})", where="--year")


def after_year(tables: Tables, report: ConversionReport, end: dt.date, formats: list[str]) -> None:
    """Dates of birth after the collection year (the DfE's rule 301) and episodes of care that start or
    end after it (354 and 385)."""
    for source, rule in _checks()["after_year"].items():
        table, column = source.split(".")
        for r in tables.get(table, []):
            d = parse_date(r.get(column), formats)
            if d and d > end:
                report.finding("source-date-after-year", r.where(TARGET[table], column, _field_of(table, column)),
                               value=r.get(column), column=column, period_end=end.isoformat(), dfe=rule)


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later; 29 February becomes 28 February in a year that has none."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def ages(tables: Tables, report: ConversionReport, start: dt.date, formats: list[str]) -> None:
    """The child's date of birth against the dates of care (source-age-implausible): the first episode
    of care starts before birth (302); care starts (RNE S) at 18 or over (352); the child was over 25 at
    the start of the collection year (351). Each is reported at the cell that is wrong if the other
    is right, naming the other's row, never echoing it."""
    rules = _checks()["age"]
    header: dict[str, SourceRow] = {}
    for h in tables.get("Header", []):
        header.setdefault(h.get("CHILD") or "", h)
    born: dict[str, dt.date] = {}
    for child, h in header.items():
        dob = parse_date(h.get("DOB"), formats)
        if dob is None:
            continue
        born[child] = dob
        if start > add_years(dob, 25):
            report.finding("source-age-implausible", h.where("children", "DOB", "birth_year_month"), value=h.get("DOB"),
                           problem=f"The child, born {h.get('DOB')}, was over 25 at the start of the collection year "
                           f"on {start.isoformat()}", dfe=rules["over_25"])
    first: dict[str, tuple[dt.date, SourceRow]] = {}
    for r in tables.get("Episodes", []):
        child, began = r.get("CHILD") or "", parse_date(r.get("DECOM"), formats)
        if child not in born or began is None:
            continue
        if child not in first or began < first[child][0]:
            first[child] = (began, r)
        if (r.get("RNE") or "").upper() == "S" and began >= add_years(born[child], 18):
            report.finding("source-age-implausible", r.where("placements", "DECOM", "start_date"), value=r.get("DECOM"),
                           problem=f"The child started to be looked after (RNE S) on {r.get('DECOM')}, aged 18 or over "
                           f"by the date of birth in the Header table, {place(header[child])}", dfe=rules["started_at_18"])
    for child, (began, r) in first.items():
        if began < born[child]:
            report.finding("source-age-implausible", r.where("placements", "DECOM", "start_date"), value=r.get("DECOM"),
                           problem=f"The child's first episode of care starts on {r.get('DECOM')}, before the date of "
                           f"birth in the Header table, {place(header[child])}", dfe=rules["care_before_birth"])


# ---------------------------------------------------------------- rows of one record


def clashes(tables: Tables, report: ConversionReport) -> Tables:
    """The tables without exact repeats of a row (each reported, and counted as rejected), with every
    other row sharing a row's key reported as a clash naming both; a clashing row is kept (both are
    converted, for the validator to see) unless the table keeps only the first (UASC)."""
    formats = _spec()["dates"]
    wanted = _spec()["tables"]
    out: Tables = {}
    for table, rows in tables.items():
        rule = _checks()["clashes"].get(table)
        if not rule:
            out[table] = rows
            continue
        seen: dict[tuple[str | None, ...], SourceRow] = {}
        kept = []
        for r in rows:
            key = tuple(_value(c, r.get(c), formats) for c in rule["key"])
            first = seen.get(key) if all(key) else None
            if first is None:
                if all(key):
                    seen[key] = r
                kept.append(r)
                continue
            differ = [c for c in wanted[table] if _value(c, r.get(c), formats) != _value(c, first.get(c), formats)]
            column = (differ or rule["key"])[-1 if not differ else 0]
            loc = r.where(TARGET[table], column, _field_of(table, column))
            if not differ:
                report.reject(report.source(table, r.file), "source-row-duplicate", loc, value=r.get(column),
                              first_row=first.row if first.path is None else place(first),
                              reason="every column the same")
                continue
            params = {"key": " and ".join(rule["key"]), "first": place(first), "columns": ", ".join(differ),
                      "dfe": rule["rule"]}
            if rule.get("keep") == "first":
                report.reject(report.source(table, r.file), "source-key-clash", loc, value=r.get(column),
                              consequence="it was not converted", **params)
                continue
            report.finding("source-key-clash", loc, value=r.get(column), consequence="both were converted", **params)
            kept.append(r)
        out[table] = kept
    return out


def agree_with_header(tables: Tables, report: ConversionReport, formats: list[str]) -> None:
    """Dates of birth and sex in the Missing and UASC tables that are not the child's in Header (the
    DfE's INT13, INT18 and INT21). XML rows take them from the child's header, so always agree."""
    header: dict[str, SourceRow] = {}
    for h in tables.get("Header", []):
        header.setdefault(h.get("CHILD") or "", h)
    for source, rule in _checks()["agree_with_header"].items():
        table, column = source.split(".")
        for r in tables.get(table, []):
            h = header.get(r.get("CHILD") or "")
            if h is None or r.path is not None:
                continue
            mine, theirs = _value(column, r.get(column), formats), _value(column, h.get(column), formats)
            if mine and theirs and mine != theirs:
                report.finding("source-value-mismatch", r.where(TARGET[table], column, None), value=r.get(column),
                               column=column, other="Header", other_row=place(h).removeprefix("row "), dfe=rule)


# ---------------------------------------------------------------- UASC


def uasc_from_flag(row: dict[str, str | None], r: SourceRow, report: ConversionReport, period_start: dt.date,
                   formats: list[str]) -> None:
    """The XML header's UASC flag and DUC into ``row``: 1 is UASC, 0 is not; anything else, blank
    included, is carried over as found, for the validator to report (the DfE's rule 105). A DUC with
    a flag other than 1 is reported (rule 303)."""
    flag, duc = r.get("UASC"), r.get("DUC")
    row["uasc"] = _checks()["uasc_flag"].get(flag or "", flag)
    row["uasc_end_date"] = iso_or_raw(duc, formats)
    if duc and flag != "1":
        recorded = "not UASC" if row["uasc"] == "false" else "the flag says, for the validator to report"
        report.finding("source-uasc-contradiction", r.where("children", "DUC", "uasc_end_date"), value=duc,
                       flag=flag or "blank", recorded=recorded)
    elif flag == "1":
        uasc_in_period(row, r, report, period_start, formats)


def uasc_in_period(row: dict[str, str | None], r: SourceRow, report: ConversionReport, period_start: dt.date,
                   formats: list[str]) -> None:
    """A child whose UASC status ceased before the period was not UASC at any time in it: recorded as
    not UASC (the date is kept), with a warning saying so."""
    ceased = parse_date(r.get("DUC"), formats)
    if ceased and ceased < period_start:
        row["uasc"] = "false"
        report.finding("source-uasc-ended-before-period", r.where("children", "DUC", "uasc_end_date"),
                       value=r.get("DUC"))
