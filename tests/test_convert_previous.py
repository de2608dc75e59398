"""mcds convert ssda903 --previous: the DfE's year-on-year rules (202-204, 205A-D, 502, 562, 576), each
failing and passing, in CSV and XML form, located in this year's return and naming last year's row."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from mcds.cli import main
from mcds.convert.ssda903 import convert_ssda903
from mcds.errors import InputError

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB"
EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"
MISSING = "CHILD,DOB,MISSING,MIS_START,MIS_END"
UASC = "CHILD,SEX,DOB,DUC"
PREVIOUS_CODES = ("source-changed-since-previous", "source-uasc-not-as-previous", "source-missing-not-carried-over",
                  "source-placement-not-carried-over")


def csv_return(folder: Path, *, header: list[str], episodes: list[str], missing: list[str] = (),  # type: ignore[assignment]
               uasc: list[str] = ()) -> Path:  # type: ignore[assignment]
    folder.mkdir(parents=True)
    for name, columns, rows in (("header.csv", HEADER, header), ("episodes.csv", EPISODES, episodes),
                                ("missing.csv", MISSING, missing), ("uasc.csv", UASC, uasc)):
        (folder / name).write_text("\n".join([columns, *rows]) + "\n", encoding="utf-8")
    return folder


def found(report, *, dfe: bool = False) -> list[tuple]:  # type: ignore[no-untyped-def]
    """(code, file, row, field, DfE rule) of the year-on-year findings."""
    out = []
    for i in report.issues:
        if i.code in PREVIOUS_CODES:
            rule = i.message.rsplit("SSDA903 rule ", 1)[1].rstrip(").")
            out.append((i.code, i.location.file, i.location.row, i.location.field, rule))
    return out


def ep(child: str, decom: str, dec: str = "", rec: str = "") -> str:
    return f"{child},{decom},S,C2,N1,K2,PR1,{dec},{rec},,,,"


# ---------------------------------------------------------------- CSV

def test_csv_each_rule_fails_and_passes(tmp_path: Path) -> None:
    last = csv_return(
        tmp_path / "2024",
        header=["1,1,01/01/2009,WBRI,,,", "2,2,01/02/2009,WBRI,,,", "3,1,01/03/2009,WBRI,,,",
                "4,1,01/04/2009,AOTH,,,", "5,1,01/05/2008,WBRI,,,", "6,1,01/06/2008,WBRI,,,",
                "7,1,01/07/2008,WBRI,,,", "8,1,01/08/2009,WBRI,,,"],
        episodes=[ep("1", "01/06/2023"), ep("2", "01/06/2023"), ep("3", "01/06/2023"), ep("4", "01/06/2023"),
                  ep("5", "01/06/2023"), ep("6", "01/06/2023"), ep("7", "01/06/2023"),
                  ep("8", "01/06/2023", "01/09/2023", "X1"), ep("8", "01/09/2023")],
        missing=["1,01/01/2009,M,01/03/2024,", "2,01/02/2009,M,02/03/2024,", "3,01/03/2009,A,03/02/2024,04/02/2024"],
        uasc=["5,1,01/05/2008,01/05/2026", "6,1,01/06/2008,01/06/2026", "7,1,01/07/2008,"],
    )
    now = csv_return(
        tmp_path / "2025",
        # 1 passes everything; 2: sex changed (202); 3: DOB changed (203); 4: ethnicity changed (204)
        header=["1,M,01/01/2009,WBRI,,,", "2,M,01/02/2009,WBRI,,,", "3,M,02/03/2009,WBRI,,,",
                "4,M,01/04/2009,WBRI,,,", "5,M,01/05/2008,WBRI,,,", "6,M,01/06/2008,WBRI,,,",
                "7,M,01/07/2008,WBRI,,,", "8,M,01/08/2009,WBRI,,,"],
        # 8: last year's open episode began 01/09/2023, this year's first on 02/09/2023 (502)
        episodes=[ep("1", "01/06/2023"), ep("2", "01/06/2023"), ep("3", "01/06/2023"), ep("4", "01/06/2023"),
                  ep("5", "01/06/2023"), ep("6", "01/06/2023"), ep("7", "01/06/2023"), ep("8", "02/09/2023")],
        # 1 carries its open episode over; 2 does not (576); 3's was closed last year
        missing=["1,01/01/2009,M,01/03/2024,05/04/2024", "2,01/02/2009,M,10/04/2024,11/04/2024"],
        # 5 UASC both years, ceasing on the 18th birthday: passes; 6: the date ceased changed to one
        # outside this year (205B); 7 no longer UASC, but last year gave no date it ceased (205A); 1
        # becomes UASC (205D)
        uasc=["5,M,01/05/2008,01/05/2026", "6,M,01/06/2008,01/07/2026", "1,M,01/01/2009,"],
    )
    _, report = convert_ssda903([now], "886", 2025, previous=[last])
    assert sorted(found(report)) == sorted([
        ("source-changed-since-previous", "header.csv", 3, "sex", "202"),
        ("source-changed-since-previous", "header.csv", 4, "birth_year_month", "203"),
        ("source-changed-since-previous", "header.csv", 5, "ethnicity", "204"),
        ("source-uasc-not-as-previous", "header.csv", 8, "uasc", "205A"),
        ("source-uasc-not-as-previous", "uasc.csv", 3, "uasc_end_date", "205B"),
        ("source-uasc-not-as-previous", "uasc.csv", 4, "uasc", "205D"),
        ("source-missing-not-carried-over", "missing.csv", 3, "start_date", "576"),
        ("source-placement-not-carried-over", "episodes.csv", 9, "start_date", "502"),
        ("source-placement-not-carried-over", "episodes.csv", 9, "start_date", "562"),
    ])
    by_rule = {f[-1]: i for f, i in zip(found(report), [i for i in report.issues if i.code in PREVIOUS_CODES],
                                        strict=True)}
    # last year's row is named; no more than the one cell is echoed
    assert "missing.csv row 3" in by_rule["576"].message and by_rule["576"].value == "02/03/2024"
    assert "header.csv row 3" in by_rule["202"].message and "1" not in (by_rule["202"].value or "")
    assert by_rule["202"].location.child_id == "2"
    # without --previous, none of them
    _, alone = convert_ssda903([now], "886", 2025)
    assert found(alone) == []


def test_562_an_episode_begun_before_the_year_must_be_in_last_years_return(tmp_path: Path) -> None:
    last = csv_return(tmp_path / "2024", header=["1,1,01/01/2009,WBRI,,,", "2,1,01/01/2009,WBRI,,,"],
                      episodes=[ep("1", "01/06/2023"), ep("2", "05/06/2023")])
    now = csv_return(tmp_path / "2025", header=["1,M,01/01/2009,WBRI,,,", "2,M,01/01/2009,WBRI,,,"],
                     episodes=[ep("1", "01/06/2023"), ep("2", "01/03/2024")])
    _, report = convert_ssda903([now], "886", 2025, previous=[last])
    # child 2's first episode is not last year's open one (502), nor in last year's return at all (562)
    assert found(report) == [("source-placement-not-carried-over", "episodes.csv", 3, "start_date", "502"),
                             ("source-placement-not-carried-over", "episodes.csv", 3, "start_date", "562")]
    last2 = csv_return(tmp_path / "2024b", header=["1,1,01/01/2009,WBRI,,,", "2,1,01/01/2009,WBRI,,,"],
                       episodes=[ep("1", "01/06/2023"), ep("2", "05/06/2023", "06/07/2023", "E11")])
    _, report = convert_ssda903([now], "886", 2025, previous=[last2])
    assert found(report) == [("source-placement-not-carried-over", "episodes.csv", 3, "start_date", "562")]


def test_576_a_child_with_no_missing_episode_this_year_is_reported_at_the_header_row(tmp_path: Path) -> None:
    last = csv_return(tmp_path / "2024", header=["1,1,01/01/2009,WBRI,,,"], episodes=[ep("1", "01/06/2023")],
                      missing=["1,01/01/2009,M,01/03/2024,"])
    now = csv_return(tmp_path / "2025", header=["1,M,01/01/2009,WBRI,,,"], episodes=[ep("1", "01/06/2023")])
    _, report = convert_ssda903([now], "886", 2025, previous=[last])
    assert found(report) == [("source-missing-not-carried-over", "header.csv", 2, "child_id", "576")]


# ---------------------------------------------------------------- XML

def xml_return(path: Path, children: list[tuple[str, str, str]]) -> Path:
    """children: (CHILDID, the header's extra elements, the child's episodes and missing blocks)."""
    body = "".join(f"<CHILD><HEADER><CHILDID>{c}</CHILDID><SEX>{'M' if '2025' in path.name else '1'}</SEX>"
                   f"<DOB>01/01/2009</DOB><ETHNIC>WBRI</ETHNIC>{h}</HEADER>{e}</CHILD>" for c, h, e in children)
    path.write_text(f"<EXPSSDA903>{body}</EXPSSDA903>", encoding="utf-8")
    return path


EPISODE = "<EPISODE><DECOM>01/06/2023</DECOM><LS>C2</LS><PL>K2</PL></EPISODE>"


def test_xml_each_uasc_rule_and_576(tmp_path: Path) -> None:
    last = xml_return(tmp_path / "r2024.xml", [
        ("1", "<UASC>1</UASC><DUC>01/01/2027</DUC><AMISSING><MISSING>M</MISSING><MIS_START>01/03/2024</MIS_START>"
              "</AMISSING>", EPISODE),
        ("2", "<UASC>1</UASC>", EPISODE),                              # 205A: no date ceased last year
        ("3", "<UASC>1</UASC><DUC>01/06/2023</DUC>", EPISODE),         # ceased last year: passes
        ("4", "<UASC>0</UASC><DUC>01/01/2024</DUC>", EPISODE),         # 205C (and 303 last year)
        ("5", "<UASC>0</UASC>", EPISODE),                              # 205D
    ])
    now = xml_return(tmp_path / "r2025.xml", [
        ("1", "<UASC>1</UASC><DUC>01/01/2027</DUC><AMISSING><MISSING>M</MISSING><MIS_START>02/03/2024</MIS_START>"
              "</AMISSING>", EPISODE),
        ("2", "<UASC>0</UASC>", EPISODE), ("3", "<UASC>0</UASC>", EPISODE), ("4", "<UASC>0</UASC>", EPISODE),
        ("5", "<UASC>1</UASC>", EPISODE),
    ])
    _, report = convert_ssda903([now], "886", 2025, previous=[last])
    got = [(i.code, i.location.file, (i.location.source_field or "").rsplit("/", 1)[-1],
            i.message.rsplit("rule ", 1)[1].rstrip(").")) for i in
           report.issues if i.code in PREVIOUS_CODES]
    assert sorted(got) == sorted([
        ("source-missing-not-carried-over", "r2025.xml", "MIS_START", "576"),
        ("source-uasc-not-as-previous", "r2025.xml", "DUC", "205A"),
        ("source-uasc-not-as-previous", "r2025.xml", "DUC", "205C"),
        ("source-uasc-not-as-previous", "r2025.xml", "UASC", "205D"),
    ])
    paths = {i.message.rsplit("rule ", 1)[1].rstrip(")."): i for i in report.issues if i.code in PREVIOUS_CODES}
    assert paths["205D"].location.child_id == "5" and "CHILD[5]/HEADER" in paths["205D"].message
    assert paths["576"].location.line == 1 and "CHILD[1]/HEADER/AMISSING[1]" in paths["576"].message


# ---------------------------------------------------------------- refusals

def test_a_previous_return_that_is_not_the_year_before_is_refused(tmp_path: Path) -> None:
    now = csv_return(tmp_path / "2025", header=["1,M,01/01/2009,WBRI,,,"], episodes=[ep("1", "01/06/2024")])
    with pytest.raises(InputError, match=r"2024-25, not 2023-24"):
        convert_ssda903([now], "886", 2025, previous=[now])
    result = CliRunner().invoke(main, ["convert", "ssda903", str(now), "--previous", str(now), "--la", "886",
                                       "--year", "2025", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "--previous" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_another_councils_return_is_refused(tmp_path: Path) -> None:
    last = csv_return(tmp_path / "2024", header=["9,1,01/01/2009,WBRI,,,"], episodes=[ep("9", "01/06/2023")])
    now = csv_return(tmp_path / "2025", header=["1,M,01/01/2009,WBRI,,,"], episodes=[ep("1", "01/06/2024")])
    result = CliRunner().invoke(main, ["convert", "ssda903", str(now), "--previous", str(last), "--la", "886",
                                       "--year", "2025", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "another council" in result.output and not (tmp_path / "out").exists()


def test_the_cli_reports_the_findings_and_exits_1(tmp_path: Path) -> None:
    last = csv_return(tmp_path / "2024", header=["1,2,01/01/2009,WBRI,,,"], episodes=[ep("1", "01/06/2023")])
    now = csv_return(tmp_path / "2025", header=["1,M,01/01/2009,WBRI,,,"], episodes=[ep("1", "01/06/2023")])
    result = CliRunner().invoke(main, ["convert", "ssda903", str(now), "--previous", str(last), "--la", "886",
                                       "--year", "2025", "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and "source-changed-since-previous" in result.output, result.output


def test_the_first_episode_keeps_last_years_open_episode_legal_status_placement_provider_and_urn(tmp_path: Path) -> None:
    """DfE rules 503B (LS), 503D (PLACE), 503E (PLACE_PROVIDER), 503F (URN), each at its own cell; a
    closed episode last year is not compared; the codes the DfE lets change in 2024-25 (H5 to K3) pass."""
    def row(child: str, decom: str, ls: str, place: str, provider: str, urn: str, dec: str = "", rec: str = "") -> str:
        return f"{child},{decom},S,{ls},N1,{place},{provider},{dec},{rec},,,,{urn}"

    header = [f"{c},1,01/01/2009,WBRI,,," for c in "12345"]
    last = csv_return(tmp_path / "2024", header=header, episodes=[
        row("1", "01/06/2023", "C2", "K2", "PR1", "SC1"), row("2", "01/06/2023", "C2", "K2", "PR1", "SC1"),
        row("3", "01/06/2023", "C2", "H5", "PR1", ""), row("4", "01/06/2023", "C2", "K2", "PR1", "SC1", "01/09/2023", "E11"),
        row("5", "01/06/2023", "C2", "K2", "PR1", "SC1")])
    now = csv_return(tmp_path / "2025", header=[h.replace(",1,", ",M,") for h in header], episodes=[
        row("1", "01/06/2023", "C2", "K2", "PR1", "SC1"),       # as last year: passes
        row("2", "01/06/2023", "V2", "U1", "PR2", ""),          # every column changed (URN now blank)
        row("3", "01/06/2023", "C2", "K3", "PR1", ""),          # H5 to K3: allowed in 2024-25
        row("4", "01/05/2024", "V2", "U1", "PR2", "SC9"),       # last year's episode ended: not compared
        row("5", "01/06/2023", "C2", "K2", "PR1", "SC1", "01/05/2024", "E11"), row("5", "01/05/2024", "V2", "U1", "PR2", "")])
    _, report = convert_ssda903([now], "886", 2025, previous=[last])
    changed = sorted((i.location.row, i.location.column, i.location.source_field, i.location.field,
                      i.message.rsplit("rule ", 1)[1][:4]) for i in report.issues
                     if i.code == "source-changed-since-previous")
    assert changed == [(3, "D", "LS", "legal_status", "503B"), (3, "F", "PLACE", "placement_type", "503D"),
                       (3, "G", "PLACE_PROVIDER", "placement_provider", "503E"), (3, "M", "URN", "provider_urn", "503F")]
    assert all("episodes.csv row 3, the episode of care open at the end of that year" in i.message
               for i in report.issues if i.code == "source-changed-since-previous")


@pytest.mark.parametrize(("year", "before", "after", "allowed"), [
    (2026, "H5", "K3", False), (2026, "Z1", "Z12", True), (2025, "Z1", "Z12", False), (2027, "Z1", "Z12", False)])
def test_placement_codes_replaced_may_change_only_in_the_years_the_dfe_allows(
        tmp_path: Path, year: int, before: str, after: str, allowed: bool) -> None:
    """503D: H5 may become K3 in 2023-24 and 2024-25, Z1 any of Z11-Z14 in 2025-26; in no other year."""
    def row(child: str, decom: str, place: str) -> str:
        return f"{child},{decom},S,C2,N1,{place},PR1,,,,,,"

    sex = "M" if year - 1 >= 2025 else "1"
    decom = f"01/06/{year - 2}"
    last = csv_return(tmp_path / "last", header=[f"1,{sex},01/01/2009,WBRI,,,"], episodes=[row("1", decom, before)])
    now = csv_return(tmp_path / "now", header=["1,M,01/01/2009,WBRI,,,"], episodes=[row("1", decom, after)])
    _, report = convert_ssda903([now], "886", year, previous=[last])
    assert [(i.location.source_field, i.message.rsplit("rule ", 1)[1][:4]) for i in report.issues
            if i.code == "source-changed-since-previous"] == ([] if allowed else [("PLACE", "503D")])


def test_502_checks_every_open_episode_and_562_last_years_final_one(tmp_path: Path) -> None:
    """562: this year's first episode, begun before the year, must be last year's final episode (the
    latest to start), not any of last year's; 502: an episode last year left open is this year's first,
    even when it is not the latest to start (Data to Insight's validator compares both so)."""
    last = csv_return(tmp_path / "2024", header=["1,1,01/01/2009,WBRI,,,", "2,1,01/02/2009,WBRI,,,",
                                                  "3,1,01/03/2009,WBRI,,,"],
                      episodes=[ep("1", "01/06/2023", "01/09/2023", "E11"), ep("1", "01/09/2023"),   # 1: as this year
                                ep("2", "01/06/2023", "01/09/2023", "E11"), ep("2", "01/09/2023"),   # 2: restarts 01/06
                                ep("3", "01/05/2023"), ep("3", "01/08/2023", "01/09/2023", "E11")])  # 3: open, not latest
    now = csv_return(tmp_path / "2025", header=["1,M,01/01/2009,WBRI,,,", "2,M,01/02/2009,WBRI,,,",
                                                 "3,M,01/03/2009,WBRI,,,"],
                     episodes=[ep("1", "01/09/2023"), ep("2", "01/06/2023"), ep("3", "01/08/2023")])
    _, report = convert_ssda903([now], "886", 2025, previous=[last])
    assert sorted((row, rule) for _, _, row, _, rule in found(report)) == [(3, "502"), (3, "562"), (4, "502")]
    by_row = {(i.location.row, i.message.rsplit("rule ", 1)[1][:3]): i.message for i in report.issues}
    assert "2024/episodes.csv row 5" in by_row[(3, "562")]  # child 2's final episode last year
    assert "2024/episodes.csv row 6" in by_row[(4, "502")]  # child 3's open episode, though not the latest


def test_205b_last_years_date_ceased_is_the_18th_birthday_and_this_years_follows_on(tmp_path: Path) -> None:
    """205B, as the DfE's rule reads: UASC in both years, last year's date ceased is the child's 18th
    birthday (29 February's is 28 February), and this year's is last year's or falls in this year."""
    header = [f"{c},1,{dob},WBRI,,," for c, dob in (("1", "01/05/2008"), ("2", "01/06/2008"), ("3", "01/07/2008"),
                                                     ("4", "29/02/2008"), ("5", "01/08/2008"))]
    last = csv_return(tmp_path / "2024", header=header, episodes=[ep(c, "01/06/2023") for c in "12345"],
                      uasc=["1,1,01/05/2008,01/05/2026",   # the 18th birthday, the same this year: passes
                            "2,1,01/06/2008,01/06/2026",   # this year's date ceased in this year: passes
                            "3,1,01/07/2008,",             # no date last year (205B)
                            "4,1,29/02/2008,28/02/2026",   # born 29 February: passes
                            "5,1,01/08/2008,01/09/2026"])  # not the 18th birthday (205B)
    now = csv_return(tmp_path / "2025", header=[h.replace(",1,", ",M,") for h in header],
                     episodes=[ep(c, "01/06/2023") for c in "12345"],
                     uasc=["1,M,01/05/2008,01/05/2026", "2,M,01/06/2008,01/01/2025", "3,M,01/07/2008,01/07/2026",
                           "4,M,29/02/2008,28/02/2026", "5,M,01/08/2008,01/08/2026"])
    _, report = convert_ssda903([now], "886", 2025, previous=[last])
    assert sorted(found(report)) == [("source-uasc-not-as-previous", "uasc.csv", 4, "uasc_end_date", "205B"),
                                     ("source-uasc-not-as-previous", "uasc.csv", 6, "uasc_end_date", "205B")]
    assert all("18th birthday" in i.message for i in report.issues if i.code == "source-uasc-not-as-previous")
