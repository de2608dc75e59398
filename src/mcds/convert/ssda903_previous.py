"""The DfE's year-on-year checks: an SSDA903 return against last year's (``--previous``).

Each check follows one of the DfE's SSDA903 rules that compare a return with the previous year's, as
``checks.previous`` in ``ssda903.yaml`` lists them, and only those that bear on what the standard
records (the child's sex, date of birth and ethnicity; UASC status; missing episodes; placements):

- 202, 203, 204: the child's sex, date of birth or ethnicity differs from last year's;
- 205A to 205D: UASC status and the date it ceased do not follow on from last year's;
- 576: a missing or away episode open at the end of last year is not carried into this year;
- 502 and 562: an episode of care open at the end of last year is not this year's first, or this
  year's first episode began before the year but is not in last year's return;
- 503B, 503D, 503E, 503F: this year's first episode has another legal status, placement type,
  provider or URN than the episode open at the end of last year.

Every finding is located in this year's return (the analyst's own file and row) and names last
year's row; it echoes at most the one cell it is about. A previous return that is not for the year
before, or shares no child with this return (another council's), is refused.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mcds.convert.base import ConversionReport, collection_period, iso_or_raw, load_data, parse_date
from mcds.convert.ssda903_checks import TARGET, add_years, dates_of, in_year, likely_year, place, year_label
from mcds.errors import InputError

if TYPE_CHECKING:
    from mcds.convert.ssda903 import SourceRow

__all__ = ["compare_with_previous", "read_previous"]

Tables = dict[str, list["SourceRow"]]


def _rules() -> dict[str, Any]:
    return load_data("ssda903")["checks"]["previous"]


def read_previous(paths: Iterable[Path], current: Tables, year: int, formats: list[str]) -> Tables:
    """Last year's return (the same forms as this year's), refused unless it is for the year before
    ``year`` and shares a child with this year's return."""
    from mcds.convert.ssda903 import read_ssda903

    paths = list(map(Path, paths))
    tables = read_ssda903(paths, ConversionReport("ssda903"))
    # last year's files are named with their folder (903-2024/missing.csv), apart from this year's
    labels = {q.name: f"{p.resolve().name}/{q.name}" for p in paths if p.is_dir() for q in p.iterdir()}
    for rows in tables.values():
        for r in rows:
            r.file = labels.get(r.file, r.file)
    names = ", ".join(map(str, paths))
    if not in_year(tables, year - 1, formats):
        likely = likely_year(dates_of(tables, formats))
        raise InputError(names, f"the previous return is for {year_label(likely)}, not {year_label(year - 1)}: give "
                         f"--previous the return for the year before --year {year} (1 April {year - 2} to 31 March "
                         f"{year - 1})", where="--previous")
    mine = {r.get("CHILD") for r in current.get("Header", [])} - {None}
    theirs = {r.get("CHILD") for r in tables.get("Header", [])} - {None}
    if mine and theirs and not mine & theirs:
        raise InputError(names, "the previous return shares no child with this return: it looks like another "
                         "council's; give --previous the same council's return for the year before", where="--previous")
    return tables


def _first(rows: Iterable[SourceRow]) -> dict[str, SourceRow]:
    out: dict[str, SourceRow] = {}
    for r in rows:
        if r.get("CHILD"):
            out.setdefault(r.get("CHILD") or "", r)
    return out


def _by_child(rows: Iterable[SourceRow]) -> dict[str, list[SourceRow]]:
    out: dict[str, list[SourceRow]] = defaultdict(list)
    for r in rows:
        if r.get("CHILD"):
            out[r.get("CHILD") or ""].append(r)
    return out


def _earlier(key: str, formats: list[str]):  # type: ignore[no-untyped-def]
    return lambda r: parse_date(r.get(key), formats) or dt.date.max


def _previous(r: SourceRow) -> str:
    return f"{r.file} {place(r)}"


def compare_with_previous(current: Tables, previous: Tables, report: ConversionReport, year: int,
                          formats: list[str], sex_maps: tuple[dict[str, str], dict[str, str]]) -> None:
    """Every year-on-year finding of this year's return (``current``) against last year's."""
    header, header_last = _first(current.get("Header", [])), _first(previous.get("Header", []))
    _header_changes(header, header_last, report, formats, sex_maps)
    _uasc(current, previous, header, header_last, report, year, formats)
    _missing_carried_over(current, previous, header, report, formats)
    _placements_carried_over(current, previous, report, year, formats)


def _header_changes(header: dict[str, SourceRow], header_last: dict[str, SourceRow], report: ConversionReport,
                    formats: list[str], sex_maps: tuple[dict[str, str], dict[str, str]]) -> None:
    """202, 203, 204: the child's sex, date of birth or ethnicity is not last year's (a blank on one
    side and a value on the other is a change too, as the DfE compares them)."""
    for column, rule in _rules()["header"].items():
        for child, r in header.items():
            last = header_last.get(child)
            if last is None:
                continue
            mine, theirs = r.get(column), last.get(column)
            if column == "SEX":  # 1/2 until 2023-24, M/F/U since: compared as the codes they stand for
                mine, theirs = sex_maps[0].get(mine or "", mine), sex_maps[1].get(theirs or "", theirs)
            elif column == "DOB":
                mine, theirs = iso_or_raw(mine, formats), iso_or_raw(theirs, formats)
            if mine != theirs:
                field = {"SEX": "sex", "DOB": "birth_year_month", "ETHNIC": "ethnicity"}[column]
                report.finding("source-changed-since-previous", r.where("children", column, field),
                               value=r.get(column), column=column, previous=_previous(last), dfe=rule)


def _status(tables: Tables, header: dict[str, SourceRow], formats: list[str]) -> dict[str, tuple[bool, Any, SourceRow]]:
    """Each child's UASC status in one return: (UASC, date it ceased or None, the row saying so). In
    CSV a child is UASC by having a row in the UASC table; in XML by the header's flag (a flag other
    than 0 or 1 leaves the child out: the validator reports it, rule 105)."""
    out: dict[str, tuple[bool, Any, SourceRow]] = {}
    uasc = _first(tables.get("UASC", []))
    for child, h in header.items():
        if h.path is not None:
            flag = h.get("UASC")
            if flag in ("0", "1"):
                out[child] = (flag == "1", parse_date(h.get("DUC"), formats), h)
        elif child in uasc:
            out[child] = (True, parse_date(uasc[child].get("DUC"), formats), uasc[child])
        else:
            out[child] = (False, None, h)
    return out


def _eighteenth(r: SourceRow, formats: list[str]) -> dt.date | None:
    """The 18th birthday by a row's DOB (last year's UASC row, or the XML header), as the DfE compares."""
    dob = parse_date(r.get("DOB"), formats)
    return add_years(dob, 18) if dob else None


def _uasc(current: Tables, previous: Tables, header: dict[str, SourceRow], header_last: dict[str, SourceRow],
          report: ConversionReport, year: int, formats: list[str]) -> None:
    """205A to 205D, for each child in both returns, as Data to Insight's validator reads the DfE's rules:
    no longer UASC, with no date ceased last year in that year (or a date ceased this year); UASC in both
    years, with last year's date ceased not the 18th birthday, or this year's neither last year's nor in
    this year; in neither year, with a date ceased; UASC this year only."""
    rules = _rules()["uasc"]
    now, last = _status(current, header, formats), _status(previous, header_last, formats)
    start_last, end_last = collection_period(year - 1)
    start, end = collection_period(year)
    for child, (uasc, duc, r) in now.items():
        if child not in last:
            continue
        uasc_last, duc_last, r_last = last[child]
        problem = None
        if uasc_last and not uasc and (duc or not (duc_last and start_last <= duc_last <= end_last)):
            problem, rule = ("the child was UASC in last year's return and is not in this one, but "
                             + ("this return gives a date UASC status ceased" if duc else
                                "last year's return gives no date UASC status ceased in that year")), rules["ceased"]
        elif uasc and uasc_last and (duc_last is None or duc_last != _eighteenth(r_last, formats)):
            problem, rule = ("the child is UASC in both returns, but the date UASC status ceased in last year's "
                             "return is not the child's 18th birthday"), rules["continued"]
        elif uasc and uasc_last and duc != duc_last and not (duc and start <= duc <= end):
            problem, rule = ("the child is UASC in both returns, but the date UASC status ceased in this return is "
                             "neither last year's nor in this year"), rules["continued"]
        elif not uasc and not uasc_last and (duc or duc_last):
            problem, rule = ("the child is UASC in neither return, but a date UASC status ceased is given in "
                             f"{'this' if duc else 'last year’s'} return"), rules["never"]
        elif uasc and not uasc_last:
            problem, rule = "the child is UASC in this return but was not UASC in last year's", rules["became"]
        if problem is None:
            continue
        if r.path is not None:  # XML: the header's flag or date
            column = "UASC" if rule == rules["became"] else "DUC"
        else:  # CSV: the child's UASC row, or its Header row when the child is not in the UASC table
            column = "DUC" if r.table == "UASC" and rule != rules["became"] else "CHILD"
        field = "uasc_end_date" if column == "DUC" else "uasc"
        report.finding("source-uasc-not-as-previous", r.where(TARGET[r.table], column, field), value=r.get(column),
                       problem=problem, previous=_previous(r_last), dfe=rule)


def _missing_carried_over(current: Tables, previous: Tables, header: dict[str, SourceRow], report: ConversionReport,
                          formats: list[str]) -> None:
    """576: an episode still open at the end of last year is in this year's return, starting on the
    same date, for every child still in the return. Reported at the child's first missing episode this
    year, or at the child's Header row when this year has none."""
    rule = _rules()["missing"]
    mine = _by_child(current.get("Missing", []))
    for child, rows in _by_child(previous.get("Missing", [])).items():
        if child not in header:
            continue
        starts = {parse_date(r.get("MIS_START"), formats) for r in mine.get(child, [])}
        for last in rows:
            began = parse_date(last.get("MIS_START"), formats)
            if last.get("MIS_END") or began is None or began in starts:
                continue
            at = min(mine[child], key=_earlier("MIS_START", formats)) if mine.get(child) else header[child]
            loc = (at.where("missing_episodes", "MIS_START", "start_date") if at.table == "Missing"
                   else at.where("children", "CHILD", "child_id"))
            report.finding("source-missing-not-carried-over", loc, value=last.get("MIS_START"),
                           previous=_previous(last), dfe=rule)


def _placements_carried_over(current: Tables, previous: Tables, report: ConversionReport, year: int,
                             formats: list[str]) -> None:
    """502: every episode of care open at the end of last year (no date it ended) is this year's first
    (the same start date); 562: this year's first episode, if it began before the year, is last year's
    final episode (the latest to start), the one that goes on into this year. A first episode that is
    neither fails both, as the DfE reports it (and Data to Insight's validator compares them)."""
    rules = _rules()["placements"]
    start = collection_period(year)[0]
    last_by_child = _by_child(previous.get("Episodes", []))
    for child, rows in _by_child(current.get("Episodes", [])).items():
        first = min(rows, key=_earlier("DECOM", formats))
        began = parse_date(first.get("DECOM"), formats)
        last_rows = last_by_child.get(child, [])
        latest = max(last_rows, key=lambda r: parse_date(r.get("DECOM"), formats) or dt.date.min, default=None)
        loc = first.where("placements", "DECOM", "start_date")
        if latest is not None and not latest.get("DEC"):
            _first_as_open(first, latest, report, year)
        still_open = [r for r in last_rows if not r.get("DEC") and began != parse_date(r.get("DECOM"), formats)]
        if still_open:
            report.finding("source-placement-not-carried-over", loc, value=first.get("DECOM"),
                           problem="last year's return ended with an episode of care still open, which is not "
                           "this year's first (it starts on another date)", previous=_previous(still_open[0]),
                           dfe=rules["open"])
        if began and began < start and (latest is None or began != parse_date(latest.get("DECOM"), formats)):
            report.finding("source-placement-not-carried-over", loc, value=first.get("DECOM"),
                           problem="this year's first episode of care began before the year, but it is not last "
                           "year's final episode (the latest to start)" if latest is not None else
                           "this year's first episode of care began before the year, but last year's return has "
                           "no episode of the child",
                           previous=_previous(latest) if latest is not None else
                           f"{', '.join(sorted({r.file for r in previous.get('Episodes', [])})) or 'none'}",
                           dfe=rules["before_year"])


_RECORDED = {"LS": "legal_status", "PLACE": "placement_type", "PLACE_PROVIDER": "placement_provider",
             "URN": "provider_urn"}


def _first_as_open(first: SourceRow, open_last: SourceRow, report: ConversionReport, year: int) -> None:
    """503B, 503D, 503E, 503F: each column of this year's first episode that is not that of the episode
    open at the end of last year (a blank on one side is a difference, as the DfE compares), but for
    the code changes the DfE allows in the years codes were replaced."""
    rules = _rules()
    allowed = [a for a in rules["first_as_open_allowed"] if year in a["years"]]
    for column, rule in rules["first_as_open"].items():
        mine, theirs = first.get(column), open_last.get(column)
        if mine == theirs or any(a["column"] == column and theirs == a["from"] and mine in a["to"] for a in allowed):
            continue
        report.finding("source-changed-since-previous", first.where("placements", column, _RECORDED[column]),
                       value=mine, column=column,
                       previous=f"{_previous(open_last)}, the episode of care open at the end of that year", dfe=rule)
