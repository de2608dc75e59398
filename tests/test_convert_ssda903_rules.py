"""The SSDA903 converter against the DfE's own rules: nothing dropped, merged or misread without an
issue saying so, each citing the DfE rule (ssda903.yaml ``checks``), in the return's own coordinates."""

from __future__ import annotations

from pathlib import Path

import pytest

from mcds.catalogue import catalogue
from mcds.convert.base import load_data
from mcds.convert.ssda903 import convert_ssda903
from mcds.errors import InputError

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB"
EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"
MISSING = "CHILD,DOB,MISSING,MIS_START,MIS_END"
UASC = "CHILD,SEX,DOB,DUC"


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def issues(report, *codes: str) -> list[tuple]:  # type: ignore[no-untyped-def]
    return [(i.code, i.location.file, i.location.row, i.location.column, i.location.source_field)
            for i in report.issues if not codes or i.code in codes]


def test_only_an_exact_repeat_is_dropped_and_any_other_clash_is_an_error_naming_both_rows(tmp_path: Path) -> None:
    """DfE rule 574: two episodes of a child starting together cannot both be right. Both are carried
    over (the validator then sees the overlap); the exact repeat alone is left out, with a warning."""
    write(tmp_path, "h.csv", f"{HEADER}\n1,M,01/01/2009,WBRI,UN1,,\n")
    write(tmp_path, "m.csv", f"{MISSING}\n1,01/01/2009,M,05/05/2024,06/05/2024\n1,01/01/2009,M,05/05/2024,20/05/2024\n"
                             "1,01/01/2009,M,2024-05-05,06/05/2024\n")
    sub, report = convert_ssda903([tmp_path], "886", 2025)
    assert sorted(e["end_date"] for e in sub.rows("missing_episodes")) == ["2024-05-06", "2024-05-20"]
    assert issues(report) == [("source-key-clash", "m.csv", 3, "E", "MIS_END"),
                              ("source-row-duplicate", "m.csv", 4, "D", "MIS_START")]
    clash = report.issues[0]
    assert "row 2" in clash.message and "574" in clash.message and clash.severity.value == "error"
    assert report.exit_code == 1 and report.balanced
    assert [i.code for i in report.rejections] == ["source-row-duplicate"]


def test_a_child_twice_in_uasc_with_another_date_is_an_error_not_the_last_row_winning(tmp_path: Path) -> None:
    """DfE INT36. The first row is kept; the second is not converted, and said so with both rows."""
    write(tmp_path, "h.csv", f"{HEADER}\n1,M,01/01/2009,WBRI,UN1,,\n")
    write(tmp_path, "u.csv", f"{UASC}\n1,M,01/01/2009,01/01/2027\n1,M,01/01/2009,01/06/2026\n1,M,01/01/2009,01/01/2027\n")
    sub, report = convert_ssda903([tmp_path], "886", 2025)
    assert sub.rows("children")[0]["uasc_end_date"] == "2027-01-01"
    assert issues(report) == [("source-key-clash", "u.csv", 3, "D", "DUC"), ("source-row-duplicate", "u.csv", 4, "A", "CHILD")]
    assert "INT36" in report.issues[0].message and "row 2" in report.issues[0].message
    assert {(c.source, c.read, c.written, c.rejected) for c in report.sources if c.source == "UASC"} == {("UASC", 3, 1, 2)}


def test_a_child_twice_in_header_is_carried_over_twice_and_reported(tmp_path: Path) -> None:
    write(tmp_path, "h.csv", f"{HEADER}\n1,M,01/01/2009,WBRI,UN1,,\n1,F,01/01/2009,WBRI,UN1,,\n")
    sub, report = convert_ssda903([tmp_path], "886", 2025)
    assert [c["sex"] for c in sub.rows("children")] == ["M", "F"]  # the validator reports primary-key-duplicate
    assert issues(report) == [("source-key-clash", "h.csv", 3, "B", "SEX")] and "INT32" in report.issues[0].message


def _xml(headers: list[str]) -> str:
    children = "".join(f"<CHILD><HEADER><CHILDID>{n}</CHILDID><SEX>M</SEX><DOB>01/01/2009</DOB><ETHNIC>WBRI</ETHNIC>{h}"
                       "</HEADER><EPISODE><DECOM>01/04/2024</DECOM><LS>V2</LS><PL>K2</PL></EPISODE></CHILD>"
                       for n, h in enumerate(headers, start=1))
    return f"<EXPSSDA903>{children}</EXPSSDA903>"  # one line, as exports often are


def test_the_xml_uasc_flag_is_read_as_the_dfe_reads_it(tmp_path: Path) -> None:
    """1 is UASC, 0 is not; Y, 2 and a blank flag are carried over for the validator (DfE rule 105);
    a DUC with a flag other than 1 is reported (rule 303); a UASC who ceased before the period was not
    UASC in it (the standard's UASC is at any time in the period), with a warning."""
    import mcds
    from mcds.submission import write_csv_package

    xml = write(tmp_path, "r.xml", _xml(["<UASC>1</UASC><DUC>01/01/2027</DUC>", "<UASC>0</UASC><DUC>01/01/2027</DUC>",
                                         "<UASC>Y</UASC>", "<UASC>2</UASC>", "<UASC />", "<UASC>0</UASC>",
                                         "<UASC>1</UASC><DUC>31/03/2024</DUC>", "<UASC>1</UASC><DUC>01/04/2024</DUC>"]))
    sub, report = convert_ssda903([xml], "886", 2025)
    assert [(c["uasc"], c["uasc_end_date"]) for c in sub.rows("children")] == [
        ("true", "2027-01-01"), ("false", "2027-01-01"), ("Y", None), ("2", None), (None, None), ("false", None),
        ("false", "2024-03-31"), ("true", "2024-04-01")]
    assert [(i.code, i.location.line, i.location.source_field) for i in report.issues] == [
        ("source-uasc-contradiction", 1, "CHILD[2]/HEADER/DUC"),
        ("source-uasc-ended-before-period", 1, "CHILD[7]/HEADER/DUC")]
    write_csv_package(sub, tmp_path / "out")
    found = mcds.validate(tmp_path / "out").project("code", "row", "field")
    assert [f for f in found if f[2] == "uasc"] == [("type-error", 4, "uasc"), ("type-error", 5, "uasc"),
                                                    ("required-missing", 6, "uasc")]


def test_uasc_that_ceased_before_the_period_is_not_uasc_in_it(tmp_path: Path) -> None:
    write(tmp_path, "h.csv", f"{HEADER}\n1,M,01/01/2006,WBRI,UN1,,\n2,M,01/01/2007,WBRI,UN1,,\n")
    write(tmp_path, "u.csv", f"{UASC}\n1,M,01/01/2006,31/12/2023\n2,M,01/01/2007,\n")
    sub, report = convert_ssda903([tmp_path], "886", 2025)
    assert [(c["uasc"], c["uasc_end_date"]) for c in sub.rows("children")] == [("false", "2023-12-31"), ("true", None)]
    assert issues(report) == [("source-uasc-ended-before-period", "u.csv", 2, "D", "DUC")]
    assert report.exit_code == 0  # a warning: the date is kept, the child counted as the standard says


def test_tables_must_agree_on_the_childs_date_of_birth_and_sex(tmp_path: Path) -> None:
    """DfE INT13 (Missing DOB), INT18 (UASC DOB) and INT21 (UASC SEX), against the Header table; the
    same date written another way agrees."""
    write(tmp_path, "h.csv", f"{HEADER}\n1,M,01/01/2009,WBRI,UN1,,\n")
    write(tmp_path, "m.csv", f"{MISSING}\n1,02/01/2009,M,05/05/2024,06/05/2024\n1,2009-01-01,M,07/05/2024,08/05/2024\n")
    write(tmp_path, "u.csv", f"{UASC}\n1,F,01/02/2009,\n")
    _, report = convert_ssda903([tmp_path], "886", 2025)
    got = [(code, file, row, column, src, i.message.split("(SSDA903 rule ")[1][:-2])
           for (code, file, row, column, src), i in zip(issues(report), report.issues, strict=True)]
    assert got == [("source-value-mismatch", "m.csv", 2, "B", "DOB", "INT13"),
                   ("source-value-mismatch", "u.csv", 2, "C", "DOB", "INT18"),
                   ("source-value-mismatch", "u.csv", 2, "B", "SEX", "INT21")]
    assert all("01/01/2009" not in i.message for i in report.issues)  # the other table's value is not echoed


def test_a_blank_on_one_side_is_not_a_disagreement(tmp_path: Path) -> None:
    """As the DfE compares them (INT13, INT18, INT21 look only at rows where both cells are given), a
    blank DOB or SEX in either table is not a mismatch: the blank itself is the validator's to report."""
    write(tmp_path, "h.csv", f"{HEADER}\n1,M,01/01/2009,WBRI,UN1,,\n2,,,WBRI,UN2,,\n")
    write(tmp_path, "m.csv", f"{MISSING}\n1,,M,05/05/2024,06/05/2024\n2,01/01/2009,M,07/05/2024,08/05/2024\n")
    write(tmp_path, "u.csv", f"{UASC}\n1,,,\n2,F,01/02/2009,\n")
    _, report = convert_ssda903([tmp_path], "886", 2025)
    assert issues(report, "source-value-mismatch") == []
    write(tmp_path, "u.csv", f"{UASC}\n1,F,,\n2,F,01/02/2009,\n")  # one side given on each: only that one
    _, report = convert_ssda903([tmp_path], "886", 2025)
    assert issues(report, "source-value-mismatch") == [("source-value-mismatch", "u.csv", 2, "B", "SEX")]


def test_a_child_not_in_header_is_reported_with_its_row(tmp_path: Path) -> None:
    """INT09: a UASC row of no child cannot be carried over (it is rejected, with its row); INT04: a
    Missing row of no child is, so that the validator reports it (foreign-key-missing)."""
    import mcds
    from mcds.submission import write_csv_package

    write(tmp_path / "in", "h.csv", f"{HEADER}\n1,M,01/01/2009,WBRI,UN1,,\n")
    write(tmp_path / "in", "m.csv", f"{MISSING}\n9,01/01/2009,M,05/05/2024,06/05/2024\n")
    write(tmp_path / "in", "u.csv", f"{UASC}\n8,M,01/01/2009,\n")
    sub, report = convert_ssda903([tmp_path / "in"], "886", 2025)
    assert issues(report) == [("source-row-rejected", "u.csv", 2, "A", "CHILD")] and "INT09" in report.issues[0].message
    write_csv_package(sub, tmp_path / "out")
    found = mcds.validate(tmp_path / "out").project("code", "table", "field")
    assert ("foreign-key-missing", "missing_episodes", "child_id") in found


def test_a_return_converted_with_the_wrong_year_is_refused(tmp_path: Path) -> None:
    """A 2023-24 return given --year 2025 has no care in 2024-25 at all: refused, naming the year."""
    write(tmp_path, "h.csv", f"{HEADER}\n1,1,01/01/2009,WBRI,UN1,,\n")
    write(tmp_path, "e.csv", f"{EPISODES}\n1,01/05/2023,S,C2,N1,U6,PR1,01/02/2024,X1,,,,\n1,01/02/2024,P,C2,N1,U6,PR1,,,,,,\n")
    write(tmp_path, "m.csv", f"{MISSING}\n1,01/01/2009,M,05/05/2023,06/05/2023\n")
    with pytest.raises(InputError, match=r"2024-25.*--year 2024"):
        convert_ssda903([tmp_path], "886", 2025)
    convert_ssda903([tmp_path], "886", 2024)


def test_a_return_whose_only_care_is_an_episode_open_across_the_year_is_for_that_year(tmp_path: Path) -> None:
    """A child in the same placement all year has no date in the year, and is looked after in it."""
    write(tmp_path, "h.csv", f"{HEADER}\n1,M,01/01/2009,WBRI,UN1,,\n")
    write(tmp_path, "e.csv", f"{EPISODES}\n1,01/05/2022,S,C2,N1,U6,PR1,,,,,,\n")
    sub, _ = convert_ssda903([tmp_path], "886", 2025)
    assert len(sub.rows("placements")) == 1
    write(tmp_path, "e.csv", f"{EPISODES}\n1,01/05/2022,S,C2,N1,U6,PR1,01/06/2022,E11,,,,\n")
    with pytest.raises(InputError, match=r"--year 2023"):
        convert_ssda903([tmp_path], "886", 2025)


def test_episodes_of_care_after_the_year_are_errors(tmp_path: Path) -> None:
    """DfE rules 354 (DECOM) and 385 (DEC): a return holds nothing after its year."""
    write(tmp_path, "h.csv", f"{HEADER}\n1,M,01/01/2009,WBRI,UN1,,\n")
    write(tmp_path, "e.csv", f"{EPISODES}\n1,01/05/2024,S,C2,N1,U6,PR1,01/04/2025,X1,,,,\n1,01/04/2025,P,C2,N1,U6,PR1,,,,,,\n")
    write(tmp_path, "m.csv", f"{MISSING}\n1,01/01/2009,M,30/03/2025,02/04/2025\n1,01/01/2009,M,01/03/2025,31/03/2025\n")
    sub, report = convert_ssda903([tmp_path], "886", 2025)
    assert len(sub.rows("placements")) == 2  # carried over, and reported
    pairs = zip(issues(report), report.issues, strict=True)
    got = sorted((f, c, r, col, i.message.split("rule ")[1][:3]) for (c, f, r, col, _), i in pairs)
    assert got == [("e.csv", "source-date-after-year", 2, "H", "385"), ("e.csv", "source-date-after-year", 3, "B", "354"),
                   ("m.csv", "source-date-after-year", 2, "E", "571")]


def test_every_dfe_rule_names_codes_of_the_catalogue_and_every_check_a_listed_rule() -> None:
    spec = load_data("ssda903")
    codes = catalogue()
    for rule, entry in spec["dfe_rules"].items():
        assert entry["meaning"] and entry["codes"], rule
        assert set(entry["codes"]) <= set(codes), (rule, set(entry["codes"]) - set(codes))
    checks = spec["checks"]
    used = [c["rule"] for c in checks["clashes"].values()]
    used += [*checks["agree_with_header"].values(), *checks["after_year"].values(), *checks["orphans"].values()]
    previous = checks["previous"]
    used += [*previous["header"].values(), *previous["uasc"].values(), previous["missing"],
             *previous["placements"].values()]
    assert set(used) <= set(spec["dfe_rules"])


def test_the_placements_urn_is_carried_over_and_not_listed_as_not_collected(tmp_path: Path) -> None:
    """Standard 1.1's provider_urn is the SSDA903 URN: carried as found (mcds pseudonymise hashes it)."""
    write(tmp_path, "h.csv", f"{HEADER}\n1,M,01/01/2009,WBRI,UN1,,\n")
    write(tmp_path, "e.csv", f"{EPISODES}\n1,01/05/2024,S,C2,N1,K2,PR1,,,,,,SC123456\n")
    sub, report = convert_ssda903([tmp_path], "886", 2025)
    assert sub.rows("placements")[0]["provider_urn"] == "SC123456"
    assert "placements.provider_urn" not in (sub.metadata["not_collected"] or "").split(";")
    assert all("URN" not in n for n in report.notes if n.startswith("Not carried over"))


def test_a_date_of_birth_after_the_year_is_an_error_at_the_header_cell(tmp_path: Path) -> None:
    """DfE rule 301: nobody in the return is born after its year; the last day of the year passes."""
    write(tmp_path, "h.csv", f"{HEADER}\n1,M,01/04/2025,WBRI,UN1,,\n2,M,31/03/2025,WBRI,UN1,,\n")
    write(tmp_path, "e.csv", f"{EPISODES}\n2,31/03/2025,S,V2,N1,K2,PR1,,,,,,\n")
    _, report = convert_ssda903([tmp_path], "886", 2025)
    assert issues(report, "source-date-after-year") == [("source-date-after-year", "h.csv", 2, "C", "DOB")]
    assert "301" in report.issues[0].message and report.issues[0].location.field == "birth_year_month"


def _ages(report) -> list[tuple]:  # type: ignore[no-untyped-def]
    return sorted((i.location.file, i.location.row, i.location.source_field, i.message.rsplit("rule ", 1)[1][:3])
                  for i in report.issues if i.code == "source-age-implausible")


def test_care_before_birth_at_18_or_over_25_each_cites_its_dfe_rule(tmp_path: Path) -> None:
    """DfE rules 302 (the first episode of care before birth), 352 (care starting, RNE S, at 18 or over)
    and 351 (over 25 at the start of the year), each with its near miss: care starting the day of
    birth, the day before the 18th birthday, a child 25 on the first day of the year."""
    write(tmp_path, "h.csv", f"{HEADER}\n"
          "1,M,01/06/2010,WBRI,UN1,,\n"    # 2: first episode 31/05/2010, a day before birth (302)
          "2,M,01/06/2010,WBRI,UN1,,\n"    # 3: first episode on the day of birth: passes
          "3,M,01/06/2006,WBRI,UN1,,\n"    # 4: care starts on the 18th birthday (352)
          "4,M,02/06/2006,WBRI,UN1,,\n"    # 5: care starts the day before the 18th birthday: passes
          "5,M,31/03/1999,WBRI,UN1,,\n"    # 6: over 25 on 1 April 2024 (351)
          "6,M,01/04/1999,WBRI,UN1,,\n")   # 7: 25 that day: passes
    write(tmp_path, "e.csv", f"{EPISODES}\n"
          "1,31/05/2010,S,V2,N1,K2,PR1,01/06/2010,E11,,,,\n1,01/05/2024,S,V2,N1,K2,PR1,,,,,,\n"
          "2,01/06/2010,S,V2,N1,K2,PR1,,,,,,\n"
          "3,01/06/2024,S,V2,N1,K2,PR1,,,,,,\n"
          "4,01/06/2024,S,V2,N1,K2,PR1,,,,,,\n4,02/06/2024,P,V2,N1,K2,PR1,,,,,,\n"
          "5,01/05/2024,P,V2,N1,K2,PR1,,,,,,\n6,01/05/2024,P,V2,N1,K2,PR1,,,,,,\n")
    _, report = convert_ssda903([tmp_path], "886", 2025)
    assert _ages(report) == [("e.csv", 2, "DECOM", "302"), ("e.csv", 5, "DECOM", "352"), ("h.csv", 6, "DOB", "351")]
    before_birth = next(i for i in report.issues if "302" in i.message)
    assert "Header table, row 2" in before_birth.message and "01/06/2010" not in before_birth.message
    assert all(i.severity.value == "error" for i in report.issues if i.code == "source-age-implausible")


def test_a_29_february_birthday_falls_on_28_february_in_other_years(tmp_path: Path) -> None:
    """352 for a child born on 29 February: 18 on 28 February (as the DfE's pandas arithmetic has it)."""
    write(tmp_path, "h.csv", f"{HEADER}\n1,M,29/02/2008,WBRI,UN1,,\n2,M,29/02/2008,WBRI,UN1,,\n")
    write(tmp_path, "e.csv", f"{EPISODES}\n1,28/02/2026,S,V2,N1,K2,PR1,,,,,,\n2,27/02/2026,S,V2,N1,K2,PR1,,,,,,\n")
    _, report = convert_ssda903([tmp_path], "886", 2026)
    assert _ages(report) == [("e.csv", 2, "DECOM", "352")]


def test_every_dfe_rule_is_either_mapped_or_said_not_to_apply_once_and_source_checks_are_errors() -> None:
    """The reference page's two tables: no rule in both, none twice; every conversion code a DfE rule
    cites has the DfE's weight (error), and a standard's query says why it is one."""
    spec = load_data("ssda903")
    kinds = catalogue()
    not_applied = [r for group in spec["dfe_rules_not_applied"] for r in group["rules"]]
    assert len(not_applied) == len(set(not_applied))
    assert not set(not_applied) & set(spec["dfe_rules"])
    assert all(group["reason"] for group in spec["dfe_rules_not_applied"])
    for rule, entry in spec["dfe_rules"].items():
        severities = {kinds[c].severity.value for c in entry["codes"]}
        assert all(kinds[c].severity.value == "error" for c in entry["codes"] if c.startswith("source-")), rule
        assert severities == {"error"} or entry.get("severity"), rule  # a query or warning says why


def test_xml_ages_and_birth_after_the_year_are_reported_at_the_elements(tmp_path: Path) -> None:
    """301, 302 and 352 in the XML form: the DOB of the child's header, the DECOM of its episode."""
    def child(dob: str, decom: str, rne: str = "S") -> str:
        return (f"<CHILD><HEADER><CHILDID>{dob[-4:]}{decom[:2]}</CHILDID><SEX>M</SEX><DOB>{dob}</DOB><ETHNIC>WBRI</ETHNIC>"
                f"<UASC>0</UASC></HEADER><EPISODE><DECOM>{decom}</DECOM><RNE>{rne}</RNE><LS>V2</LS><PL>K2</PL></EPISODE>"
                "</CHILD>")

    xml = write(tmp_path, "r.xml", "<EXPSSDA903>" + child("01/06/2010", "01/06/2024") + child("01/04/2025", "02/06/2024")
                + child("03/06/2024", "03/06/2024") + child("04/06/2006", "04/06/2024") + "</EXPSSDA903>")
    _, report = convert_ssda903([xml], "886", 2025)
    got = sorted((i.location.source_field, i.message.rsplit("rule ", 1)[1][:3]) for i in report.issues
                 if i.code in ("source-age-implausible", "source-date-after-year"))
    # child 2, born after the year, is also born after its first episode began (302 and 301)
    assert got == [("CHILD[2]/EPISODE[1]/DECOM", "302"), ("CHILD[2]/HEADER/DOB", "301"),
                   ("CHILD[4]/EPISODE[1]/DECOM", "352")]
    assert all(i.location.line == 1 for i in report.issues if i.code == "source-age-implausible")
