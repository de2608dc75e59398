"""``mcds check-ees``: every check of the DfE's screener fails on a pair of files made to fail it,
and does not on a near miss that the screener lets through. The pairs are this project's own: a
small valid pair (:func:`base`) and one change per case."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from mcds.cli import main
from mcds.stats import run
from mcds.stats.check_ees import CHECKS, LARGE_FILE_BYTES, SCREENER_VERSION, check_ees, screen_pair
from mcds.stats.ees_checks import filters, meta
from mcds.stats.ees_checks.files import Pair, read_table

SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "src" / "mcds" / "stats" / "check_ees.schema.json")
                    .read_text(encoding="utf-8"))
META_HEADER = ["col_name", "col_type", "label", "indicator_grouping", "indicator_unit", "indicator_dp", "filter_hint",
               "filter_grouping_column", "filter_default"]
GEOGRAPHY = [("National", "", "", "", "", ""), ("Regional", "E12000006", "East of England", "", "", ""),
             ("Local authority", "E12000006", "East of England", "874", "E06000031", "Peterborough")]


@dataclass
class Case:
    """A data file and its metadata file, as lists to change before writing."""

    header: list[str]
    rows: list[dict[str, str]]
    meta: list[dict[str, str]]
    meta_header: list[str] = field(default_factory=lambda: list(META_HEADER))
    name: str = "enrolments"
    meta_name: str | None = None
    data_bytes: bytes | None = None

    def write(self, folder: Path) -> tuple[Path, Path]:
        folder.mkdir(parents=True, exist_ok=True)
        data, meta_path = folder / f"{self.name}.csv", folder / (self.meta_name or f"{self.name}.meta.csv")
        data.write_bytes(self.data_bytes if self.data_bytes is not None else _csv(self.header, self.rows))
        meta_path.write_bytes(_csv(self.meta_header, self.meta))
        return data, meta_path

    # changes
    def add_column(self, name: str, value: str = "") -> None:
        self.header.append(name)
        for r in self.rows:
            r[name] = value

    def drop_column(self, name: str) -> None:
        self.header.remove(name)

    def rename(self, old: str, new: str) -> None:
        self.header[self.header.index(old)] = new
        for r in self.rows:
            r[new] = r.pop(old)
        for m in self.meta:
            if m["col_name"] == old:
                m["col_name"] = new

    def set_meta(self, col_name: str, **values: str) -> None:
        next(m for m in self.meta if m["col_name"] == col_name).update(values)

    def add_meta(self, **values: str) -> None:
        self.meta.append(dict.fromkeys(self.meta_header, "") | values)

    def set_all(self, column: str, value: str) -> None:
        for r in self.rows:
            r[column] = value

    def add_rows(self, level: str, columns: dict[str, str], *, blank_la: bool = True) -> None:
        """Rows at another geographic level (one a filter combination), its columns blank elsewhere."""
        for c in columns:
            if c not in self.header:
                self.add_column(c)
        national = [r for r in self.rows if r["geographic_level"] == "National"]
        for r in national:
            self.rows.append(r | {"geographic_level": level, **columns})


def _csv(header: list[str], rows: list[dict[str, str]]) -> bytes:
    buf = io.StringIO()
    w = csv.DictWriter(buf, header, lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def base() -> Case:
    """A valid pair that suits the API: national, regional and council rows of two filters."""
    header = ["time_period", "time_identifier", "geographic_level", "country_code", "country_name", "region_code",
              "region_name", "old_la_code", "new_la_code", "la_name", "sex", "education_phase", "child_count",
              "child_percent"]
    rows = []
    n = 0
    for level, rc, rn, old, new, la in GEOGRAPHY:
        for sex in ("Total", "Male", "Female"):
            for phase in ("Total", "Primary"):
                n += 1
                rows.append(dict(zip(header, ["202425", "Academic year", level, "E92000001", "England", rc, rn, old, new,
                                              la, sex, phase, str(100 + n), f"{n}.5"], strict=True)))
    m = [dict.fromkeys(META_HEADER, "") | v for v in (
        {"col_name": "sex", "col_type": "Filter", "label": "Sex", "filter_hint": "Sex of the child"},
        {"col_name": "education_phase", "col_type": "Filter", "label": "Education phase"},
        {"col_name": "child_count", "col_type": "Indicator", "label": "Number of children", "indicator_dp": "0"},
        {"col_name": "child_percent", "col_type": "Indicator", "label": "Percentage of children",
         "indicator_unit": "%", "indicator_dp": "1"})]
    return Case(header, rows, m)


def screen(case: Case, tmp: Path) -> tuple[set[str], bool]:
    data, meta_path = case.write(tmp)
    result = screen_pair(data, meta_path)
    return {i.code for i in result.issues}, result.passed


Change = Callable[[Case], None]


def each(change: Callable[[dict[str, str]], None], where: Callable[[dict[str, str]], bool] = lambda r: True) -> Change:
    def apply(case: Case) -> None:
        for r in case.rows:
            if where(r):
                change(r)
    return apply


def first_row(column: str, value: str, where: Callable[[dict[str, str]], bool] = lambda r: True) -> Change:
    def apply(case: Case) -> None:
        next(r for r in case.rows if where(r))[column] = value
    return apply


def at(level: str) -> Callable[[dict[str, str]], bool]:
    return lambda r: r["geographic_level"] == level


def steps(*changes: Change) -> Change:
    def apply(case: Case) -> None:
        for c in changes:
            c(case)
    return apply


def meta_set(col_name: str, **values: str) -> Change:
    return lambda c: c.set_meta(col_name, **values)


def rename(old: str, new: str) -> Change:
    return lambda c: c.rename(old, new)


def national_only(case: Case) -> None:
    case.rows = [r for r in case.rows if r["geographic_level"] == "National"]
    for c in ("region_code", "region_name", "old_la_code", "new_la_code", "la_name"):
        case.drop_column(c)


def level_rows(level: str, **columns: str) -> Change:
    return lambda c: c.add_rows(level, columns)


def group(filter_name: str, column: str, values: Callable[[dict[str, str]], str]) -> Change:
    """Give ``filter_name`` a filter group ``column`` holding ``values(row)``."""
    def apply(case: Case) -> None:
        case.add_column(column)
        for r in case.rows:
            r[column] = values(r)
        case.set_meta(filter_name, filter_grouping_column=column)
    return apply


def phase_group(r: dict[str, str]) -> str:
    return "Total" if r["education_phase"] == "Total" else "State-funded"


def institution_only(case: Case) -> None:
    national_only(case)
    case.add_column("institution_id", "I1")
    case.add_column("institution_name", "Institute One")
    case.set_all("geographic_level", "Institution")


def school_and_provider(mixed: bool) -> Change:
    def apply(case: Case) -> None:
        national_only(case)
        for c, v in (("school_urn", "100000"), ("school_name", "A school"), ("school_laestab", "8861000")):
            case.add_column(c, "")
            for r in case.rows[:6]:
                r[c] = v
        case.rows += [r | {"geographic_level": "School", "school_urn": "100000", "school_name": "A school",
                           "school_laestab": "8861000"} for r in list(case.rows)]
        if mixed:
            case.add_column("provider_ukprn")
            case.add_column("provider_name")
            case.rows += [r | {"geographic_level": "Provider", "provider_ukprn": "10000001", "provider_name": "P",
                               "school_urn": "", "school_name": "", "school_laestab": ""}
                          for r in case.rows if r["geographic_level"] == "National"]
        for r in case.rows:
            if r["geographic_level"] == "National":
                r.update(school_urn="", school_name="", school_laestab="")
    return apply


def oa_rows(*areas: tuple[str, str]) -> Change:
    def apply(case: Case) -> None:
        case.add_column("opportunity_area_code")
        case.add_column("opportunity_area_name")
        national = [r for r in case.rows if r["geographic_level"] == "National"]
        for code, name in areas:
            case.rows += [r | {"geographic_level": "Opportunity area", "opportunity_area_code": code,
                               "opportunity_area_name": name} for r in national]
    return apply


def ethnicity(major: str, minor: str | None = None) -> Change:
    def apply(case: Case) -> None:
        case.rename("education_phase", "ethnicity_major")
        case.set_meta("ethnicity_major", label="Ethnicity major")
        each(lambda r: r.update(ethnicity_major=major), lambda r: r["ethnicity_major"] == "Primary")(case)
        if minor is not None:
            case.add_column("ethnicity_minor", "Total")
            case.set_meta("ethnicity_major", filter_grouping_column="ethnicity_minor")
    return apply


def characteristic(group_value: str, value: str) -> Change:
    def apply(case: Case) -> None:
        case.rename("education_phase", "characteristic")
        case.set_meta("characteristic", label="Characteristic")
        case.add_column("characteristic_group", "Total")
        for r in case.rows:
            if r["characteristic"] == "Primary":
                r.update(characteristic=value, characteristic_group=group_value)
        case.set_meta("characteristic", filter_grouping_column="characteristic_group")
    return apply


def extra_meta_rows(n: int) -> Change:
    return lambda c: [c.add_meta(col_name=f"ghost_{k}", col_type="Indicator", label=f"Ghost {k}", indicator_dp="0")
                      for k in range(n)]


def latin1(case: Case) -> None:
    case.data_bytes = _csv(case.header, case.rows).replace(b"Peterborough", b"P\xe9terborough")


def bom(case: Case) -> None:
    case.data_bytes = b"\xef\xbb\xbf" + _csv(case.header, case.rows)


def api_name(n: int) -> Change:
    return rename("child_count", "c" * n)


def item(text: str) -> Change:
    return each(lambda r: r.update(sex=text), lambda r: r["sex"] == "Male")


def no_councils(case: Case) -> None:
    case.rows = [r for r in case.rows if r["geographic_level"] != "Local authority"]


LAD = {"lad_code": "E06000001", "lad_name": "Hartlepool"}
# code -> (a change the check fails, a near miss it passes)
CASES: dict[str, tuple[Change, Change]] = {
    "ees-file-read": (latin1, bom),
    "ees-filename-spaces": (lambda c: setattr(c, "name", "my enrolments"), lambda c: setattr(c, "name", "my_enrolments")),
    "ees-filename-special": (lambda c: setattr(c, "name", "enrolments+1"), lambda c: setattr(c, "name", "Enrolments-2_v")),
    "ees-filenames-match": (lambda c: setattr(c, "meta_name", "enrolments_meta.meta.csv"), lambda c: None),
    "ees-col-req-meta": (lambda c: c.meta_header.remove("indicator_unit"), lambda c: c.meta_header.remove("filter_default")),
    "ees-col-invalid-meta": (lambda c: c.meta_header.append("notes"), lambda c: c.meta_header.append("parent_filter")),
    "ees-col-req-data": (lambda c: c.drop_column("country_name"), lambda c: c.header.reverse()),
    "ees-col-to-rows": (extra_meta_rows(6), extra_meta_rows(5)),
    "ees-cross-meta-to-data": (lambda c: c.add_meta(col_name="phase_type", col_type="Filter", label="Phase type"),
                               extra_meta_rows(1)),
    "ees-cross-data-to-meta": (lambda c: (c.add_column("notes"), first_row("notes", "checked")(c)),
                               lambda c: c.add_column("notes", "checked")),
    "ees-col-names-spaces": (rename("child_count", "child count"), rename("child_count", "child_count_2")),
    "ees-col-snake-case": (rename("child_count", "ChildCount"), rename("child_count", "child_count_2")),
    "ees-col-var-start": (rename("child_count", "2child_count"), rename("child_count", "child2_count")),
    "ees-col-ind-smushed": (rename("child_count", "child_count_male"), rename("sex", "sex_male")),
    "ees-col-var-characteristic": (rename("sex", "characteristic"), rename("sex", "characteristics")),
    "ees-meta-col-type": (meta_set("child_count", col_type="Measure"), meta_set("child_count", col_type="Indicator")),
    "ees-meta-ob-unit": (lambda c: c.add_meta(col_name="la_name", col_type="Filter", label="Council"),
                         lambda c: None),
    "ees-meta-col-name": (lambda c: c.add_meta(col_name=" ", col_type="Indicator", label="Ghost", indicator_dp="0"),
                          extra_meta_rows(1)),
    "ees-meta-dupe-label": (meta_set("child_percent", label="Number of children"),
                            meta_set("child_percent", label="number of children")),
    "ees-meta-fil-grp": (meta_set("child_count", filter_grouping_column="sex"), lambda c: None),
    "ees-meta-fil-grp-dupe": (steps(group("education_phase", "phase_group", phase_group),
                                    meta_set("sex", filter_grouping_column="phase_group")),
                              group("education_phase", "phase_group", phase_group)),
    "ees-meta-fil-grp-is-fil": (group("education_phase", "phase_group", phase_group),
                                steps(group("education_phase", "phase_group", phase_group),
                                      lambda c: c.add_meta(col_name="phase_group", col_type="Filter", label="Group"))),
    "ees-meta-fil-grp-stripped": (group("education_phase", "phase_group",
                                        lambda r: r["sex"] if r["sex"] != "Female" else "Male!"),
                                  group("education_phase", "phase_group", phase_group)),
    "ees-meta-label": (meta_set("child_count", label=" "), meta_set("child_count", label="n")),
    "ees-meta-filter-hint": (meta_set("child_count", filter_hint="Choose"), meta_set("sex", filter_hint="Choose")),
    "ees-meta-geog-catch": (rename("sex", "provider_code"), rename("sex", "provision")),
    "ees-meta-indicator-dp": (meta_set("sex", indicator_dp="0"), meta_set("child_count", indicator_dp="2")),
    "ees-meta-col-name-spaces": (lambda c: c.add_meta(col_name="ghost count", col_type="Indicator", label="G",
                                                      indicator_dp="0"), extra_meta_rows(1)),
    "ees-meta-col-name-dupe": (lambda c: c.add_meta(col_name="child_count", col_type="Indicator", label="Again",
                                                    indicator_dp="0"), extra_meta_rows(1)),
    "ees-meta-ind-dp-set": (meta_set("child_count", indicator_dp=""), meta_set("child_count", indicator_dp="0")),
    "ees-meta-ind-dp-values": (meta_set("child_count", indicator_dp="1.5"), meta_set("child_count", indicator_dp="1.0")),
    "ees-meta-ind-unit": (meta_set("sex", indicator_unit="%"), meta_set("child_count", indicator_unit="£m")),
    "ees-meta-ind-unit-validation": (meta_set("child_count", indicator_unit="days"),
                                     meta_set("child_count", indicator_unit="numberstring")),
    "ees-meta-indicator-grouping": (meta_set("sex", indicator_grouping="Counts"),
                                    meta_set("child_count", indicator_grouping="Counts")),
    "ees-time-period-num": (first_row("time_period", "2024/25"), first_row("time_period", "201718")),
    "ees-time-id-valid": (lambda c: c.set_all("time_identifier", "Collection year"),
                          lambda c: c.set_all("time_identifier", "Tax year")),
    "ees-time-id-mix": (steps(lambda c: c.set_all("time_identifier", "Financial year"),
                              first_row("time_identifier", "Financial year Q1", at("Regional"))),
                        steps(lambda c: c.set_all("time_identifier", "Financial year Q2"),
                              first_row("time_identifier", "Financial year Q1", at("Regional")))),
    "ees-filter-not-singular": (lambda c: c.set_all("education_phase", "Total"),
                                lambda c: first_row("sex", "Unknown")(c)),
    "ees-geog-level": (first_row("geographic_level", "County", at("Local authority")), lambda c: None),
    "ees-geog-level-present": (lambda c: c.drop_column("old_la_code"), national_only),
    "ees-time-period": (lambda c: c.set_all("time_period", "2024"),
                        steps(lambda c: c.set_all("time_period", "2024"),
                              lambda c: c.set_all("time_identifier", "Reporting year"))),
    "ees-time-period-six": (first_row("time_period", "202426"), first_row("time_period", "199900")),
    "ees-filter-defaults": (each(lambda r: r.update(education_phase="All phases"), lambda r: r["education_phase"] == "Total"),
                            steps(each(lambda r: r.update(education_phase="All phases"),
                                       lambda r: r["education_phase"] == "Total"),
                                  meta_set("education_phase", filter_default="All phases"))),
    "ees-filter-group-level": (group("education_phase", "phase_detail", lambda r: r["sex"] + r["education_phase"]),
                               group("education_phase", "phase_group", phase_group)),
    "ees-filter-item-limit": (lambda c: None, lambda c: None),  # the limit is lowered in its own test
    "ees-filter-whitespace": (item(" Male"), item("Male")),
    "ees-filter-ob-total": (first_row("region_name", "Total", at("Regional")),
                            first_row("sex", "All", at("National"))),
    "ees-filter-blanks": (first_row("sex", ""), first_row("sex", "Unknown")),
    "ees-geog-country-combos": (first_row("country_name", "Englnd"),
                                lambda c: c.rows.append(c.rows[0] | {"country_code": "S92000003",
                                                                     "country_name": "Scotland"})),
    "ees-geog-region-combos": (each(lambda r: r.update(region_name="East England"), at("Regional")),
                               each(lambda r: r.update(region_code="z", region_name="Outside of England"),
                                    at("Regional"))),
    "ees-geog-ward-combos": (level_rows("Ward", ward_code="E05000026", ward_name="Abbay", **LAD),
                             level_rows("Ward", ward_code="E05000026", ward_name="Abbey", **LAD)),
    "ees-geog-pcon-combos": (level_rows("Parliamentary constituency", pcon_code="E14000530", pcon_name="Aldershott"),
                             level_rows("Parliamentary constituency", pcon_code="E14000530", pcon_name="Aldershot")),
    "ees-geog-lad-combos": (level_rows("Local authority district", lad_code="E06000001", lad_name="Hartlepoool"),
                            level_rows("Local authority district", **LAD)),
    "ees-geog-lep-combos": (level_rows("Local enterprise partnership", local_enterprise_partnership_code="E37000001",
                                       local_enterprise_partnership_name="Black County"),
                            level_rows("Local enterprise partnership", local_enterprise_partnership_code="E37000001",
                                       local_enterprise_partnership_name="Black Country")),
    "ees-geog-lsip-combos": (level_rows("Local skills improvement plan area", lsip_code="E69000001", lsip_name="Sussex"),
                             level_rows("Local skills improvement plan area", lsip_code="E69000001",
                                        lsip_name="Brighton and Hove, East Sussex, West Sussex")),
    "ees-geog-eda-combos": (level_rows("English devolved area", english_devolved_area_code="E06000052",
                                       english_devolved_area_name="Kernow"),
                            level_rows("English devolved area", english_devolved_area_code="E06000052",
                                       english_devolved_area_name="Cornwall")),
    "ees-geog-la-combos": (each(lambda r: r.update(la_name="Peterboro"), at("Local authority")),
                           each(lambda r: r.update(old_la_code="886", new_la_code="E10000016", la_name="Kent",
                                                   region_code="E12000008", region_name="South East"),
                                at("Local authority"))),
    "ees-geog-level-completed": (first_row("la_name", "", at("Local authority")),
                                 each(lambda r: r.update(new_la_code=""), at("Local authority"))),
    "ees-geog-ignored-rows": (institution_only, steps(institution_only, first_row("geographic_level", "National"))),
    "ees-geog-ignored-rows-mixed": (school_and_provider(True), school_and_provider(False)),
    "ees-geog-other-dupes": (oa_rows(("E1", "Area one"), ("E2", "Area one")), oa_rows(("E1", "Area one"), ("E2", "Area two"))),
    "ees-geog-la-col-present": (steps(no_councils, lambda c: c.drop_column("old_la_code")),
                                steps(no_councils, *(lambda c, x=x: c.drop_column(x)
                                                     for x in ("old_la_code", "new_la_code", "la_name")))),
    "ees-geog-region-col-present": (steps(national_only, lambda c: c.add_column("region_code")),
                                    steps(national_only, lambda c: c.add_column("region_code"),
                                          lambda c: c.add_column("region_name"))),
    "ees-geog-region-for-la": (each(lambda r: r.update(region_code="", region_name=""), at("Local authority")),
                               lambda c: None),
    "ees-geog-region-for-lad": (level_rows("Local authority district", **LAD),
                                level_rows("Local authority district", region_code="E12000001",
                                           region_name="North East", **LAD)),
    "ees-geog-na": (oa_rows(("x", "Unknown area")), oa_rows(("x", "Not available"))),
    "ees-geog-na-code": (oa_rows(("E1", "Not available")), oa_rows(("x", "Not available"))),
    "ees-geog-other-code-dupes": (oa_rows(("E1", "Area one"), ("E1", "Area two")),
                                  oa_rows(("E1", "Area one"), ("E2", "Area two"))),
    "ees-geog-overcompleted-cols": (first_row("la_name", "Peterborough", at("National")),
                                    first_row("region_name", "East of England", at("Local authority"))),
    "ees-general-dupes": (lambda c: c.rows.append(dict(c.rows[3])),
                          steps(level_rows("Local authority district", region_code="E12000001", region_name="North East",
                                           **LAD),
                                level_rows("Local authority district", region_code="E12000001", region_name="North East",
                                           lad_code="E06000002", lad_name="Middlesbrough"))),
    "ees-general-null": (first_row("child_count", "NA"), first_row("child_count", "x")),
    "ees-general-null-legacy": (first_row("child_count", "-"), first_row("child_count", "low")),
    "ees-ind-invalid-entry": (first_row("child_count", ":"), first_row("child_count", "12.345")),
    "ees-harmonised-variables": (rename("education_phase", "sen_type"), rename("education_phase", "sen_status")),
    "ees-harmonised-eth-vals": (ethnicity("Whyte"), ethnicity("White")),
    "ees-harmonised-eth-char-grp": (characteristic("Ethnic group", "White"), characteristic("Ethnicity Major", "White")),
    "ees-harmonised-eth-char-vals": (characteristic("Ethnicity Major", "Whyte"), characteristic("Ethnicity Major", "White")),
    "ees-api-char-col-name": (api_name(51), api_name(50)),
    "ees-api-char-col-label": (meta_set("child_count", label="L" * 101), meta_set("child_count", label="L" * 100)),
    "ees-api-char-loc-code": (oa_rows(("E" * 31, "Area one")), oa_rows(("E" * 30, "Area one"))),
    "ees-api-char-filter-items": (item("M" * 121), item("M" * 120)),
    "ees-data-dict-col-name": (rename("education_phase", "phase"), lambda c: None),
    "ees-data-dict-fil-item": (item("Lads"), item("Female")),
}
# reached only through the folder, or not reachable once the stages before have passed
APART = {"ees-no-data-file", "ees-meta-fil-grp-match"}


def test_every_check_has_cases() -> None:
    assert set(CASES) | APART == set(CHECKS)


def test_the_base_pair_passes_every_check_and_suits_the_api(tmp_path: Path) -> None:
    data, meta_path = base().write(tmp_path)
    result = screen_pair(data, meta_path)
    assert [i.line() for i in result.issues] == []
    assert result.passed and result.api_suitable and result.overall_stage == "Passed"


@pytest.mark.parametrize("code", sorted(set(CASES) - {"ees-filter-item-limit"}))
def test_each_check_fails_on_its_case_and_passes_its_near_miss(tmp_path: Path, code: str) -> None:
    failing, passing = CASES[code]
    case = base()
    failing(case)
    codes, passed = screen(case, tmp_path / "fail")
    assert code in codes, sorted(codes)
    assert passed == (CHECKS[code].severity.value == "warning"), sorted(codes)
    case = base()
    passing(case)
    codes, _ = screen(case, tmp_path / "pass")
    assert code not in codes, sorted(codes)


def test_filter_item_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(filters, "FILTER_ITEM_LIMIT", 2)  # sex has 3 items, education_phase 2
    codes, passed = screen(base(), tmp_path / "a")
    assert "ees-filter-item-limit" in codes and not passed
    monkeypatch.setattr(filters, "FILTER_ITEM_LIMIT", 3)
    assert "ees-filter-item-limit" not in screen(base(), tmp_path / "b")[0]
    assert filters.FILTER_ITEM_LIMIT == 3 and filters.__dict__["FILTER_ITEM_LIMIT"] == 3


def _pair(case: Case, tmp: Path) -> Pair:
    data, meta_path = case.write(tmp)
    pair = Pair(data.name, meta_path.name)
    pair.data, pair.meta = read_table(data, all_text=True), read_table(meta_path, all_text=False)
    return pair


def test_a_filter_group_missing_from_the_data_fails_earlier_and_in_check_meta(tmp_path: Path) -> None:
    from mcds.stats.ees_checks.meta import meta_fil_grp_match
    case = base()
    case.set_meta("education_phase", filter_grouping_column="phase_group")
    codes, passed = screen(case, tmp_path / "a")
    assert codes == {"ees-cross-meta-to-data"} and not passed
    assert [f.value for f in meta_fil_grp_match(_pair(case, tmp_path / "b"))] == ["phase_group"]
    assert list(meta_fil_grp_match(_pair(base(), tmp_path / "c"))) == []


def test_an_empty_folder_has_no_data_file(tmp_path: Path) -> None:
    report = check_ees(tmp_path)
    assert report.project("code") == [("ees-no-data-file",)] and not report.valid
    base().write(tmp_path)
    assert check_ees(tmp_path).valid


@pytest.mark.parametrize("dp", ["-1", "²", "one", "1,5", "Inf", "1_0", "NA"])
def test_decimal_places_that_are_not_whole_numbers_fail(tmp_path: Path, dp: str) -> None:
    case = base()
    case.set_meta("child_count", indicator_dp=dp)
    assert "ees-meta-ind-dp-values" in screen(case, tmp_path)[0]


@pytest.mark.parametrize("dp", ["0", "2", " 3", "1e1", "2.0"])
def test_whole_decimal_places_pass(tmp_path: Path, dp: str) -> None:
    case = base()
    case.set_meta("child_count", indicator_dp=dp)
    assert "ees-meta-ind-dp-values" not in screen(case, tmp_path)[0]


def test_r_numbers() -> None:
    assert [meta.r_number(t) for t in ("1", " 2.5 ", "0x10", "-1e2", ".5", "²", "1_0", "", "NA")] == \
        [1.0, 2.5, 16.0, -100.0, 0.5, None, None, None, None]


@pytest.mark.parametrize("period", ["201718", "202425", "199900"])
def test_six_digit_periods_of_consecutive_years_pass(tmp_path: Path, period: str) -> None:
    case = base()
    case.set_all("time_period", period)
    assert screen(case, tmp_path)[1]


def test_the_cli_prints_each_issue_with_its_guidance_and_the_screener_version(tmp_path: Path) -> None:
    case = base()
    case.set_meta("child_count", indicator_dp="")
    case.write(tmp_path)
    r = CliRunner().invoke(main, ["check-ees", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert "[ees-meta-ind-dp-set]" in r.output and f"eesyscreener {SCREENER_VERSION}" in r.output
    assert "see https://" in r.output and "suitable for the API" in r.output


def test_json_output_follows_its_schema_and_names_the_screener_version(tmp_path: Path) -> None:
    case = base()
    first_row("child_count", ":")(case)
    data, _ = case.write(tmp_path)
    r = CliRunner().invoke(main, ["check-ees", str(data), "--format", "json"])
    assert r.exit_code == 1
    out = json.loads(r.output)
    jsonschema.validate(out, SCHEMA)
    assert out["screener_version"] == SCREENER_VERSION and out["passed"] is False
    (issue,) = out["files"][0]["issues"]
    assert (issue["code"], issue["check"], issue["stage"], issue["group"], issue["row"], issue["field"]) == \
        ("ees-ind-invalid-entry", "ind_invalid_entry", "Check indicators", "screen", 2, "child_count")
    assert out["files"][0]["overall_stage"] == "Check indicators checks"


def test_api_warnings_keep_a_pass_but_not_api_suitability(tmp_path: Path) -> None:
    case = base()
    item("Lads")(case)
    data, _ = case.write(tmp_path)
    report = check_ees(data)
    assert report.valid and not report.api_suitable
    assert {g for (g,) in report.project("group")} == {"api"}
    jsonschema.validate(report.to_dict(), SCHEMA)


def test_a_missing_path_exits_2(tmp_path: Path) -> None:
    assert CliRunner().invoke(main, ["check-ees", str(tmp_path / "none")]).exit_code == 2


def test_a_metadata_file_alone_is_reported(tmp_path: Path) -> None:
    base().write(tmp_path)
    (tmp_path / "other.meta.csv").write_text("col_name\n", encoding="utf-8")
    report = check_ees(tmp_path)
    assert ("ees-file-read", "other.meta.csv") in report.project("code", "file") and not report.valid


def test_every_check_says_its_severity_group_and_guidance() -> None:
    for c in CHECKS.values():
        assert c.severity.value in ("error", "warning")
        assert (c.group == "api") == (c.stage == "Check API")
        assert c.guidance_url.startswith("https://")


def test_what_mcds_stats_writes_passes_with_no_screen_warning(tmp_path: Path) -> None:
    fixtures = Path(__file__).resolve().parent.parent / "fixtures" / "valid"
    run([fixtures / "kent", fixtures / "manchester"], tmp_path)
    report = check_ees(tmp_path)
    assert report.valid and [i for i in report.project("code", "severity") if i[1] == "error"] == []
    # the API data dictionary warns: the standard's own variables are not in the DfE's dictionary
    assert ("ees-data-dict-col-name", "api") in report.project("code", "group")


# ---------------------------------------------------------------- files of 5 MiB or more


def _sized(size: int) -> bytes:
    """A data file of exactly ``size`` bytes, just under 5 MiB or just over: the base pair's rows for
    every council in England and many academic years, its last row repeating the first council row
    (so that the last row of a large file is screened as the first is), padded to the size by
    quoting cells (read the same) and a final newline or none."""
    from mcds import standard as std
    councils = [c for c in std.load().codelist("council").by_code.values() if not c.extra.get("valid_to")]
    head = ",".join(base().header)
    rows: list[list[str]] = []
    quoted: list[set[int]] = []  # the cells of each row written in quotes
    total = len(head)

    def line(k: int) -> str:
        return ",".join(f'"{c}"' if j in quoted[k] else c for j, c in enumerate(rows[k]))

    def add(cells: list[str]) -> bool:
        nonlocal total
        rows.append(cells)
        quoted.append({j for j, c in enumerate(cells) if "," in c})
        total += len(line(len(rows) - 1)) + 1
        return total + len(line(min(1, len(rows) - 1))) + 1 > size - 5_000

    full = False
    for year in range(2024, 1800, -1):
        period = f"{year}{(year + 1) % 100:02d}"
        if add([period, "Academic year", "National", "E92000001", "England", "", "", "", "", "", "Total", "Total", "100",
                "z"]):
            break
        for c in councils:
            e = c.extra
            for sex, phase in (("Total", "Total"), ("Male", "Total"), ("Female", "Primary")):
                full = add([period, "Academic year", "Local authority", "E92000001", "England", e["region_code"],
                            e["region_name"], e["old_la_code"], c.code, c.title, sex, phase, str(len(rows) % 997), "z"])
                if full:
                    break
            if full:
                break
        if full:
            break
    rows.append(rows[1])  # the repeat of the first council row
    quoted.append(set(quoted[1]))
    short = size - len("\n".join([head, *(line(k) for k in range(len(rows)))]).encode("utf-8"))
    assert 0 <= short < 10_000
    k = 0
    while short >= 2:  # quote more cells of the first rows, two bytes a cell
        for j in range(len(rows[k])):
            if short >= 2 and j not in quoted[k]:
                quoted[k].add(j)
                short -= 2
        k += 1
    data = ("\n".join([head, *(line(k) for k in range(len(rows)))]) + "\n" * short).encode("utf-8")
    assert len(data) == size
    return data


@pytest.mark.slow
def test_a_data_file_of_5_mib_or_more_is_screened_as_a_smaller_one(tmp_path: Path) -> None:
    """The screener reads a data file of 5 MiB or more lazily (DuckDB) and a smaller one into memory,
    to the same result of every check; check-ees screens both the same and says which way."""
    results = {}
    for size in (LARGE_FILE_BYTES - 1, LARGE_FILE_BYTES):
        case = base()
        case.data_bytes = _sized(size)
        data, meta_path = case.write(tmp_path / str(size))
        assert data.stat().st_size == size
        result = screen_pair(data, meta_path)
        out = result.to_dict()
        jsonschema.validate({"screener": "eesyscreener", "screener_version": SCREENER_VERSION, "source": "x",
                             "passed": result.passed, "api_suitable": result.api_suitable, "folder_issues": [],
                             "files": [out]}, SCHEMA)
        rows = case.data_bytes.count(b"\n") + (not case.data_bytes.endswith(b"\n"))  # lines, the header first
        results[size] = (result.read_lazily, out["screener_reads_data"], out["data_file_bytes"],
                         [(i.code, i.location.row) for i in result.issues if i.severity == "error"], rows)
    small, large = results[LARGE_FILE_BYTES - 1], results[LARGE_FILE_BYTES]
    assert small[:3] == (False, "in memory", LARGE_FILE_BYTES - 1)
    assert large[:3] == (True, "lazily", LARGE_FILE_BYTES)
    assert small[3] == large[3] == [("ees-general-dupes", large[4])]  # the repeat, found in the last row
