from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcds.cli import main
from mcds.convert.base import collection_period, resolve_council
from mcds.convert.ssda903 import convert_ssda903
from mcds.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
S903 = ROOT / "fixtures" / "ssda903"
HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB"
EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"
MISSING = "CHILD,DOB,MISSING,MIS_START,MIS_END"


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_bytes(text.encode(encoding))
    return p


def test_collection_year() -> None:
    assert collection_period(2025) == (dt.date(2024, 4, 1), dt.date(2025, 3, 31))


@pytest.mark.parametrize("code", ["886", "E10000016", " e10000016 "])
def test_council_from_either_code(code: str) -> None:
    assert resolve_council(code, *collection_period(2025)) == ("886", "E10000016")


@pytest.mark.parametrize(("code", "year"), [("909", 2024), ("999", 2025), ("E99999999", 2025)])
def test_council_must_exist_and_be_in_operation(code: str, year: int) -> None:
    # Cumbria (909) ended on 31 March 2023, so it cannot make a 2023-24 return.
    with pytest.raises(InputError):
        resolve_council(code, *collection_period(year))


def test_sex_codes_follow_the_collection_year(tmp_path: Path) -> None:
    write(tmp_path / "a", "h.csv", f"{HEADER}\n1,1,01/02/2010,WBRI,UN1,,\n2,2,01/02/2010,WBRI,UN1,,\n3,m,01/02/2010,WBRI,UN1,,\n")
    old, _ = convert_ssda903([tmp_path / "a"], "886", 2024)
    new, _ = convert_ssda903([tmp_path / "a"], "886", 2025)
    # 2023-24: 1/2 are male/female; from 2024-25 they are not codes and are carried over for the validator.
    assert [c["sex"] for c in old.rows("children")] == ["M", "F", "M"]
    assert [c["sex"] for c in new.rows("children")] == ["1", "2", "M"]


def test_real_files_just_work(tmp_path: Path) -> None:
    """BOM, CRLF, Windows-1252, lower-case codes, stray spaces, dd/mm/yyyy and midnight times."""
    write(tmp_path, "x.csv", f"\ufeff{HEADER}\r\n 1 , f ,31/12/2009, wbri ,UN1,,\r\n", "utf-8")
    write(tmp_path, "y.csv", f"{EPISODES}\r\n1,01/04/2024,S,c2,N1,u6,pr1,2024-06-01 00:00:00,x1,,,,\r\n", "cp1252")
    write(tmp_path, "z.csv", f"{MISSING},NOTE\n1,31/12/2009,a,02/05/2024,,caf\u00e9\n", "cp1252")
    sub, report = convert_ssda903([tmp_path], "886", 2025)
    assert sub.rows("children") == [{"child_id": "1", "birth_year_month": "2009-12", "sex": "F", "ethnicity": "WBRI",
                                      "uasc": "false", "trafficking_concern": "none_known"}]
    p = sub.rows("placements")[0]
    assert (p["start_date"], p["end_date"], p["legal_status"], p["placement_type"], p["placement_provider"],
            p["end_reason"]) == ("2024-04-01", "2024-06-01", "C2", "U6", "PR1", "X1")
    e = sub.rows("missing_episodes")[0]
    assert (e["episode_type"], e["start_date"], e["end_date"], e["end_reason"], e["placement_id"]) == (
        "away", "2024-05-02", None, "still_missing", p["placement_id"])
    assert report.exit_code == 0 and report.balanced
    assert any("NOTE" in n for n in report.notes)  # an extra column is named, not silently dropped


def test_unparseable_dates_are_carried_over_for_the_validator(tmp_path: Path) -> None:
    write(tmp_path, "h.csv", f"{HEADER}\n1,M,31/02/2009,WBRI,UN1,,\n")
    write(tmp_path, "m.csv", f"{MISSING}\n1,31/02/2009,M,32/05/2024,\n")
    sub, report = convert_ssda903([tmp_path], "886", 2025)
    assert sub.rows("children")[0]["birth_year_month"] == "31/02/2009"
    assert sub.rows("missing_episodes")[0]["start_date"] == "32/05/2024"
    assert report.exit_code == 0


def test_missing_episode_links_to_the_placement_it_started_in(tmp_path: Path) -> None:
    write(tmp_path, "h.csv", f"{HEADER}\n1,M,01/01/2009,WBRI,UN1,,\n")
    write(tmp_path, "e.csv", f"{EPISODES}\n1,10/06/2024,P,C2,N1,K2,PR4,,,,,,\n1,01/04/2024,S,C2,N1,U6,PR1,10/06/2024,X1,,,,\n")
    write(tmp_path, "m.csv", f"{MISSING}\n1,01/01/2009,M,09/06/2024,10/06/2024\n1,01/01/2009,M,10/06/2024,11/06/2024\n"
                             "1,01/01/2009,A,01/03/2024,02/03/2024\n")
    sub, _ = convert_ssda903([tmp_path], "886", 2025)
    places = {p["placement_id"]: p["start_date"] for p in sub.rows("placements")}
    assert places == {"P1": "2024-04-01", "P2": "2024-06-10"}  # numbered by start date
    links = {e["start_date"]: e["placement_id"] for e in sub.rows("missing_episodes")}
    # On the day one placement ends and the next begins, the episode belongs to the new one;
    # before the first placement there is none.
    assert links == {"2024-06-09": "P1", "2024-06-10": "P2", "2024-03-01": None}


def test_an_episode_ended_by_the_end_of_care_with_e8_is_ceased_looked_after(tmp_path: Path) -> None:
    """SSDA903 rule 580: a child who turns 18 while missing ends care with E8 on the day the episode
    ends. Such an episode is the "never found", not a return; any other reason, or another day, is."""
    write(tmp_path, "h.csv", f"{HEADER}\n1,M,15/06/2006,WBRI,UN1,,\n2,M,15/06/2006,WBRI,UN2,,\n")
    write(tmp_path, "e.csv", f"{EPISODES}\n1,01/04/2024,S,C2,N1,U6,PR1,14/06/2024,E8,,,,\n"
                             "2,01/04/2024,S,C2,N1,U6,PR1,14/06/2024,E4A,,,,\n")
    write(tmp_path, "m.csv", f"{MISSING}\n1,15/06/2006,M,01/06/2024,14/06/2024\n1,15/06/2006,M,01/05/2024,03/05/2024\n"
                             "2,15/06/2006,M,01/06/2024,14/06/2024\n")
    sub, _ = convert_ssda903([tmp_path], "886", 2025)
    reasons = {(e["child_id"], e["start_date"]): e["end_reason"] for e in sub.rows("missing_episodes")}
    assert reasons == {("1", "2024-06-01"): "ceased_looked_after", ("1", "2024-05-01"): None,
                       ("2", "2024-06-01"): None}


def test_rejections_name_file_row_and_column(tmp_path: Path) -> None:
    write(tmp_path, "h.csv", f"{HEADER}\n1,M,01/01/2009,WBRI,UN1,,\n,F,01/01/2009,WBRI,UN1,,\n")
    write(tmp_path, "e.csv", f"{EPISODES}\n1,,S,C2,N1,U6,PR1,,,,,,\n")
    write(tmp_path, "m.csv", f"{MISSING}\n\n1,01/01/2009,M,,\n1,01/01/2009,M,05/05/2024,\n1,01/01/2009,m,05/05/2024,\n")
    write(tmp_path, "u.csv", "CHILD,SEX,DOB,DUC\n7,M,01/01/2009,01/01/2027\n")
    _, report = convert_ssda903([tmp_path], "886", 2025)
    got = sorted((i.code, i.location.file, i.location.row, i.location.column, i.location.field) for i in report.issues)
    assert got == [
        ("source-row-duplicate", "m.csv", 5, "D", "start_date"),  # the blank line 2 still counts as a row
        ("source-row-rejected", "e.csv", 2, "B", "start_date"),
        ("source-row-rejected", "h.csv", 3, "A", "child_id"),
        ("source-row-rejected", "m.csv", 3, "D", "start_date"),
        ("source-row-rejected", "u.csv", 2, "A", "child_id"),
    ]
    assert {(c.source, c.read, c.written, c.rejected) for c in report.sources} == {
        ("Header", 2, 1, 1), ("Episodes", 1, 0, 1), ("Missing", 3, 1, 2), ("UASC", 1, 0, 1)}
    assert report.exit_code == 1


def test_xml_rows_are_the_lines_of_their_elements(tmp_path: Path) -> None:
    xml = write(tmp_path, "r.xml", "<EXPSSDA903>\n<CHILD>\n<HEADER><CHILDID>5</CHILDID><SEX>F</SEX><DOB>01/01/2010</DOB>"
                "<ETHNIC>WBRI</ETHNIC><UASC>1</UASC><DUC>01/01/2028</DUC>\n<AMISSING><MISSING>A</MISSING>"
                "<MIS_START></MIS_START></AMISSING>\n</HEADER>\n<EPISODE><DECOM>01/04/2024</DECOM><LS>V2</LS><PL>K3</PL>"
                "</EPISODE>\n</CHILD>\n</EXPSSDA903>\n")
    sub, report = convert_ssda903([xml], "886", 2025)
    assert sub.rows("children")[0]["uasc"] == "true" and sub.rows("children")[0]["uasc_end_date"] == "2028-01-01"
    assert sub.rows("placements")[0]["placement_type"] == "K3"
    # an XML row is its element: its line, and its path (which tells children apart on a one-line file)
    assert [(i.code, i.location.file, i.location.row, i.location.line, i.location.source_field)
            for i in report.issues] == [("source-row-rejected", "r.xml", None, 4, "CHILD[1]/HEADER/AMISSING[1]/MIS_START")]


def test_unreadable_or_unrecognised_input_is_an_input_error(tmp_path: Path) -> None:
    write(tmp_path / "a", "notes.csv", "A,B\n1,2\n")
    with pytest.raises(InputError, match="no SSDA903 Header"):
        convert_ssda903([tmp_path / "a"], "886", 2025)
    write(tmp_path / "b", "h.csv", f"{HEADER}\n1,M,01/01/2009,WBRI,UN1,,\n")
    write(tmp_path / "b", "r.xml", "<EXPSSDA903/>")
    with pytest.raises(InputError, match="not both"):
        convert_ssda903([tmp_path / "b"], "886", 2025)
    write(tmp_path / "c", "r.xml", "<EXPSSDA903><CHILD>")
    with pytest.raises(InputError, match="well-formed"):
        convert_ssda903([tmp_path / "c" / "r.xml"], "886", 2025)
    bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><EXPSSDA903>&b;</EXPSSDA903>'
    write(tmp_path / "d", "r.xml", bomb)
    with pytest.raises(InputError, match="forbidden"):
        convert_ssda903([tmp_path / "d" / "r.xml"], "886", 2025)


def test_cli_exit_codes_and_json_report(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(main, ["convert", "ssda903", str(S903 / "csv-2025-26"), "--la", "352", "--year", "2026",
                              "--out", str(tmp_path / "ok"), "--report", str(tmp_path / "ok.json")])
    assert ok.exit_code == 0, ok.output
    assert json.loads((tmp_path / "ok.json").read_text())["rows"]["rejected"] == 0
    assert (tmp_path / "ok" / "datapackage.json").is_file()
    bad = runner.invoke(main, ["convert", "ssda903", str(S903 / "csv-2024-25-messy"), "--la", "886", "--year", "2025",
                               "--out", str(tmp_path / "bad.json")])
    assert bad.exit_code == 1 and "source-row-rejected" in bad.output
    assert json.loads((tmp_path / "bad.json").read_text())["metadata"]["old_la_code"] == "886"
    missing = runner.invoke(main, ["convert", "ssda903", str(tmp_path / "nothing"), "--la", "886", "--year", "2025",
                                   "--out", str(tmp_path / "x")])
    assert missing.exit_code == 2 and "Traceback" not in missing.output
    cumbria = runner.invoke(main, ["convert", "ssda903", str(S903 / "csv-2025-26"), "--la", "909", "--year", "2026",
                                   "--out", str(tmp_path / "x")])
    assert cumbria.exit_code == 2 and not (tmp_path / "x").exists()


# ---------------------------------------------------------------- rows read = written + rejected, always

cells = st.one_of(st.just(""), st.sampled_from(["1", "2", "x y", " 3 ", "M", "a", "A", "m", "01/05/2024", "31/02/2024",
                                                "2024-05-01", "15/03/2025", "=1+1", "-"]),
                  st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r\n\"")))
rows = st.lists(st.lists(cells, min_size=0, max_size=7), max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(header=rows, missing=rows, episodes=rows)
def test_every_row_read_is_written_or_rejected(tmp_path: Path, header: list[list[str]], missing: list[list[str]],
                                               episodes: list[list[str]]) -> None:
    folder = tmp_path / f"r{abs(hash((str(header), str(missing), str(episodes))))}"
    write(folder, "h.csv", HEADER + "\n" + "".join(",".join(f'"{c}"' for c in r) + "\n" for r in [["1", "M"], *header]))
    write(folder, "m.csv", MISSING + "\n" + "".join(",".join(f'"{c}"' for c in r) + "\n" for r in missing))
    write(folder, "e.csv", EPISODES + "\n" + "".join(",".join(f'"{c}"' for c in r) + "\n" for r in episodes))
    sub, report = convert_ssda903([folder], "886", 2025)
    assert report.balanced
    counts = {c.source: c for c in report.sources}
    assert counts["Missing"].read == sum(1 for r in missing if any(c.strip() for c in r))
    assert counts["Missing"].written == len(sub.rows("missing_episodes"))
    assert counts["Episodes"].written == len(sub.rows("placements"))
    assert counts["Header"].written == len(sub.rows("children"))
    assert len(report.rejections) == report.rows_rejected  # each rejected row has its issue


def test_cin_census_adds_factors_and_trafficking_concern(tmp_path: Path) -> None:
    write(tmp_path, "h.csv", f"{HEADER}\n1,M,01/01/2009,WBRI,UN1,,\n2,F,01/01/2009,WBRI,UN1,,\n3,F,01/01/2009,WBRI,UN1,,\n")
    cin = write(tmp_path / "cin", "cin.xml", """<Message xmlns="http://www.dfe.gov.uk/CIN">
<Header><Source><LEA>886</LEA></Source></Header><Children>
<Child><ChildIdentifiers><LAchildID>1</LAchildID></ChildIdentifiers><CINdetails>
 <Assessments><FactorsIdentifiedAtAssessment><AssessmentFactors>24a</AssessmentFactors>
   <AssessmentFactors>2A</AssessmentFactors></FactorsIdentifiedAtAssessment></Assessments>
 <Assessments><FactorsIdentifiedAtAssessment><AssessmentFactors>12A</AssessmentFactors>
   <AssessmentFactors>9A</AssessmentFactors></FactorsIdentifiedAtAssessment></Assessments></CINdetails></Child>
<Child><ChildIdentifiers><LAchildID>2</LAchildID></ChildIdentifiers><CINdetails><Assessments>
 <FactorsIdentifiedAtAssessment><AssessmentFactors>21</AssessmentFactors></FactorsIdentifiedAtAssessment>
 </Assessments></CINdetails></Child>
<Child><ChildIdentifiers><LAchildID>77</LAchildID></ChildIdentifiers></Child>
</Children></Message>""")
    sub, report = convert_ssda903([tmp_path / "h.csv"], "886", 2025, cin=cin)
    got = [(c["child_id"], c["trafficking_concern"], c.get("cin_factors")) for c in sub.rows("children")]
    # Factors of all assessments, in the codelist's order; those outside the standard's list left out.
    assert got == [("1", "suspected", "9A;12A;24A"), ("2", "none_known", None), ("3", "none_known", None)]
    assert [(i.code, i.location.line, i.location.source_field) for i in report.issues] == [
        ("source-row-out-of-scope", 11, "Children/Child[3]/ChildIdentifiers/LAchildID")]
    assert report.exit_code == 0  # a CIN child who is not looked after is out of scope, not a fault
    not_collected = sub.metadata["not_collected"].split(";")
    assert "children.cin_factors" not in not_collected and "children.trafficking_concern" not in not_collected
    plain, _ = convert_ssda903([tmp_path / "h.csv"], "886", 2025)
    assert {"children.cin_factors", "children.trafficking_concern"} <= set(plain.metadata["not_collected"].split(";"))
    with pytest.raises(InputError, match="council 886, not 306"):
        convert_ssda903([tmp_path / "h.csv"], "306", 2025, cin=cin)


def test_codes_withdrawn_by_the_collection_year_are_carried_over_and_flagged(tmp_path: Path) -> None:
    """Z1 was split into Z11-Z14 in 2025-26: a 2025-26 return still using Z1 converts, and the validator says why."""
    import mcds
    from mcds.submission import write_csv_package

    write(tmp_path / "in", "h.csv", f"{HEADER}\n1,M,01/01/2009,WBRI,UN1,,\n2,F,01/01/2009,WBRI,UN1,,\n")
    write(tmp_path / "in", "e.csv", f"{EPISODES}\n1,01/05/2025,S,C2,N1,Z1,PR4,,,,,,\n2,01/05/2025,S,C2,N1,Z12,,,,,,,\n")
    sub, report = convert_ssda903([tmp_path / "in"], "886", 2026)
    assert [p["placement_type"] for p in sub.rows("placements")] == ["Z1", "Z12"]
    assert "No SSDA903 Missing table among the inputs: the submission has no missing episodes." in report.notes
    write_csv_package(sub, tmp_path / "out")
    assert mcds.validate(tmp_path / "out").project("code", "table", "row", "field") == [
        ("code-not-in-use", "placements", 2, "placement_type")]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300), suffix=st.sampled_from([".csv", ".xml"]))
def test_arbitrary_bytes_convert_or_fail_cleanly(tmp_path: Path, data: bytes, suffix: str) -> None:
    folder = tmp_path / f"b{abs(hash((data, suffix)))}"
    folder.mkdir(exist_ok=True)
    (folder / f"x{suffix}").write_bytes(data)
    if suffix == ".csv":
        write(folder, "h.csv", f"{HEADER}\n1,M,01/01/2009,WBRI,UN1,,\n")
    try:
        _, report = convert_ssda903([folder], "886", 2025)
    except InputError as e:
        assert str(e)  # says which file and why
    else:
        assert report.balanced


def test_what_later_versions_added_is_listed_as_not_collected(tmp_path: Path) -> None:
    """A 903 return holds nothing version 1.1 added: it is listed in not_collected, so a figure resting
    on it is x (not collected), never 0 (tests/test_stats_versions.py shows the x)."""
    from mcds.convert.base import added_since

    sub, _ = convert_ssda903([S903 / "csv-2024-25-messy"], "886", 2025)
    listed = set((sub.metadata["not_collected"] or "").split(";"))
    assert "nrm_referrals" in listed and "missing_episodes.safe_and_well_check_date" in listed
    assert "nrm_referrals.referral_date" not in listed  # the table as a whole, not each of its fields
    assert set(added_since("1.0")) - {"placements.provider_urn"} <= listed  # the URN is mapped (Episodes.URN)
