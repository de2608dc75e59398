"""Generate the conformance suite, standard/1.0/conformance/<case>/, from one tiny valid submission.

Each case changes the base submission in one way and states, by hand, every issue the change must
raise as [code, table, row, field] (row as the user sees it, header = 1; null where an issue has
no row or field). Valid look-alikes (``ok-...``) are near misses that must raise nothing blocking.
The expected issues are written here, never taken from running the validator.

    python scripts/make_conformance.py
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from mcds.submission import Submission, write_csv_package, write_json  # noqa: E402

OUT = ROOT / "standard" / "1.1" / "conformance"

META = {"standard_version": "1.1", "old_la_code": "886", "new_la_code": "E10000016", "period_start": "2025-04-01",
        "period_end": "2026-03-31", "software": "mcds conformance suite", "created": "2026-05-01T09:00:00Z",
        "pseudonymised": "true"}

N = None
# The columns the base gives values to, in the order of the rows below; every other field of the standard is written
# as an empty cell. The children table's NRM fields and police_risk_level are deprecated in 1.1: the base records
# referrals in nrm_referrals and the highest police risk instead.
CHILDREN = ["child_id", "birth_year_month", "sex", "ethnicity", "nationality", "uasc", "uasc_start_date", "uasc_end_date",
            "trafficking_concern", "exploitation_types", "county_lines", "ictg_referral_date", "ictg_service_type",
            "cin_factors"]
PLACEMENTS = ["placement_id", "child_id", "start_date", "end_date", "legal_status", "placement_type", "placement_provider",
              "in_council_area", "end_reason"]
EPISODES = ["episode_id", "child_id", "placement_id", "episode_type", "start_date", "start_time", "end_date", "end_time",
            "reported_to_police", "highest_police_risk_level", "end_reason", "found_location"]
INTERVIEWS = ["interview_id", "child_id", "offered_date", "accepted", "completed_date", "independent"]
LINKS = ["interview_id", "episode_id"]
REFERRALS = ["referral_id", "child_id", "referral_date", "competent_authority", "reasonable_grounds_decision",
             "reasonable_grounds_date", "conclusive_grounds_decision", "conclusive_grounds_date", "status", "reconsidered",
             "referred_while_missing", "age_at_exploitation", "exploitation_types", "county_lines"]
# The children table's (deprecated) NRM fields as C2's referral N1 would give them.
C2_NRM = {"nrm_referral_date": "2025-05-01", "nrm_reasonable_grounds_decision": "positive",
          "nrm_reasonable_grounds_date": "2025-05-10", "nrm_conclusive_grounds_decision": "positive",
          "nrm_conclusive_grounds_date": "2025-07-15"}
# Every case writes every column of the standard (the JSON form every property, empty ones as null), the deprecated
# fields too. A deprecated field left empty (or left out) draws nothing; one that holds a value draws one warning per
# table, at the first row holding one: the cases that record C2's NRM in the children table, for one.
DEPRECATED = [("children", f) for f in C2_NRM] + [("missing_episodes", "police_risk_level")]

BASE = {
    # rows: children C1 = 2, C2 = 3; placements P1 = 2, P2 = 3, P3 = 4; episodes E1 = 2, E2 = 3, E3 = 4;
    # interviews R1 = 2, R2 = 3; links (R1, E1) = 2, (R2, E3) = 3; referrals N1 = 2
    "children": [
        ["C1", "2009-05", "M", "WBRI", "GBR", "false", N, N, "none_known", N, N, N, N, N],
        ["C2", "2008-09", "M", "AOTH", "AFG", "true", "2024-06-01", N, "identified", "criminal;labour", "true", "2025-05-01",
         "direct_worker", "9A;12A"],
    ],
    "placements": [
        ["P1", "C1", "2021-01-01", "2025-06-30", "C2", "U6", "PR1", "true", "X1"],
        ["P2", "C1", "2025-06-30", N, "C2", "U4", "PR4", "false", N],
        ["P3", "C2", "2024-06-01", N, "V2", "K2", "PR4", "true", N],
    ],
    "missing_episodes": [
        ["E1", "C1", "P1", "missing", "2025-05-01", "22:00:00", "2025-05-02", "08:00:00", "true", "medium",
         "found_by_police", "in_council_area"],
        ["E2", "C1", "P2", "away", "2025-08-10", N, "2025-08-10", N, "false", N, "returned", "in_council_area"],
        ["E3", "C2", "P3", "missing", "2025-09-01", N, "2025-09-03", N, "true", "high", "found_by_others",
         "other_council_area"],
    ],
    "return_interviews": [
        ["R1", "C1", "2025-05-02", "true", "2025-05-04", "true"],
        ["R2", "C2", "2025-09-03", "false", N, "true"],
    ],
    "interview_episodes": [["R1", "E1"], ["R2", "E3"]],
    "nrm_referrals": [
        ["N1", "C2", "2025-05-01", "sca", "positive", "2025-05-10", "positive", "2025-07-15", "concluded", "false", "false",
         "under_18", "criminal;labour", "true"],
    ],
}
COLUMNS = {"children": CHILDREN, "placements": PLACEMENTS, "missing_episodes": EPISODES, "return_interviews": INTERVIEWS,
           "interview_episodes": LINKS, "nrm_referrals": REFERRALS}


def base() -> Submission:
    sub = Submission(dict(META))
    for t, rows in BASE.items():
        sub.tables[t] = [dict(zip(COLUMNS[t], r, strict=True)) for r in copy.deepcopy(rows)]
    return sub


def row(sub: Submission, table: str, key: str) -> dict[str, str | None]:
    first = COLUMNS[table][0]
    return next(r for r in sub.tables[table] if r[first] == key)


@dataclass
class Case:
    name: str
    description: str
    issues: list[list[object]]
    edit: Callable[[Submission], None] | None = None
    files: Callable[[Path], None] | None = None  # edits the written CSV package (header and row faults)
    form: str = "csv"
    valid: bool | None = None
    tags: list[str] = field(default_factory=list)


def setv(table: str, key: str, **values: str | None) -> Callable[[Submission], None]:
    def edit(sub: Submission) -> None:
        row(sub, table, key).update(values)
    return edit


def meta(**values: str | None) -> Callable[[Submission], None]:
    def edit(sub: Submission) -> None:
        for k, v in values.items():
            if v is None:
                sub.metadata.pop(k, None)
            else:
                sub.metadata[k] = v
    return edit


def add(table: str, *values: str | None) -> Callable[[Submission], None]:
    def edit(sub: Submission) -> None:
        sub.tables[table].append(dict(zip(COLUMNS[table], values, strict=True)))
    return edit


def both(*edits: Callable[[Submission], None]) -> Callable[[Submission], None]:
    def edit(sub: Submission) -> None:
        for e in edits:
            e(sub)
    return edit


def ceased_at(birth: str, day: str, reason: str) -> Callable[[Submission], None]:
    """C2, born in ``birth``, stops being looked after on ``day`` (reason ``reason``) while missing: an episode
    from five days before ends that day by the end of care."""
    start = (dt.date.fromisoformat(day) - dt.timedelta(days=5)).isoformat()
    return both(setv(CH, "C2", birth_year_month=birth), setv(PL, "P3", end_date=day, end_reason=reason),
                add(ME, "E4", "C2", "P3", "missing", start, N, day, N, "true", "high", "ceased_looked_after", "unknown"))


def nrm_dates(rg: str, cg: str) -> Callable[[Submission], None]:
    """C2's referral N1 on the day of its reasonable grounds decision ``rg``, conclusive grounds on ``cg``."""
    return setv(NR, "N1", referral_date=rg, reasonable_grounds_date=rg, conclusive_grounds_date=cg)


def legacy_nrm(**changes: str | None) -> Callable[[Submission], None]:
    """C2's NRM record in the children table's deprecated fields (with ``changes``), and no row in nrm_referrals."""
    def edit(sub: Submission) -> None:
        sub.tables[NR] = []
        row(sub, CH, "C2").update({**C2_NRM, **changes})
    return edit


def lines(file: str, change: Callable[[list[str]], list[str]]) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        p = folder / file
        text = p.read_text(encoding="utf-8").split("\n")
        p.write_text("\n".join(change(text)), encoding="utf-8")
    return edit


def columns(file: str, change: Callable[[list[str]], list[str]]) -> Callable[[Path], None]:
    """Change every line's cells (a simple split: the base has no quoted cells)."""
    return lines(file, lambda ls: [",".join(change(line.split(","))) if line else line for line in ls])


def descriptor(change: Callable[[dict], None]) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        p = folder / "datapackage.json"
        d = json.loads(p.read_text(encoding="utf-8"))
        change(d)
        p.write_text(json.dumps(d, indent=2) + "\n", encoding="utf-8")
    return edit


def drop_table(name: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        descriptor(lambda d: d.__setitem__("resources", [r for r in d["resources"] if r["name"] != name]))(folder)
        (folder / f"{name}.csv").unlink()
    return edit


def extra_table(folder: Path) -> None:
    (folder / "notes.csv").write_text("note\nnothing\n", encoding="utf-8")
    descriptor(lambda d: d["resources"].append({"name": "notes", "path": "notes.csv"}))(folder)


def drop_columns(table: str, names: list[str]) -> Callable[[Path], None]:
    """Leave the named columns out of a table's file (a simple split: the base has no quoted cells)."""
    def change(ls: list[str]) -> list[str]:
        keep = [i for i, h in enumerate(ls[0].split(",")) if h not in names]
        return [",".join(line.split(",")[i] for i in keep) if line else line for line in ls]
    return lines(f"{table}.csv", change)


def both_files(*edits: Callable[[Path], None]) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        for e in edits:
            e(folder)
    return edit


def swap(a: int, b: int) -> Callable[[list[str]], list[str]]:
    def change(cells: list[str]) -> list[str]:
        cells[a], cells[b] = cells[b], cells[a]
        return cells
    return change


def day_first_start_dates(sub: Submission) -> None:
    """Twenty more episodes of C1 (E4 to E23, one every three days from 1 October 2025, each ending the day it
    began), then every episode's start date written dd/mm/yyyy, as Excel re-saves a CSV."""
    for i in range(20):
        day = (dt.date(2025, 10, 1) + dt.timedelta(days=3 * i)).isoformat()
        add(ME, f"E{i + 4}", "C1", "P2", "away", day, N, day, N, "false", N, "returned", "in_council_area")(sub)
    for r in sub.tables[ME]:
        y, m, d = str(r["start_date"]).split("-")
        r["start_date"] = f"{d}/{m}/{y}"


ME, CH, PL, RI, IE, NR = "missing_episodes", "children", "placements", "return_interviews", "interview_episodes", "nrm_referrals"

CASES = [
    Case("valid-base", "The base submission: every table, every rule kept.", []),
    Case("valid-base-json", "The base submission in JSON form.", [], form="json"),
    # ---------------------------------------------------------------- metadata
    Case("metadata-missing", "The producing software is not given.", [["metadata-missing", "metadata", None, "software"]],
         edit=meta(software=None)),
    Case("metadata-missing-json", "JSON form: the producing software is not given.",
         [["metadata-missing", "metadata", None, "software"]], edit=meta(software=None), form="json"),
    Case("metadata-invalid", "The reporting period ends before it starts.",
         [["metadata-invalid", "metadata", None, "period_end"]], edit=meta(period_start="2026-04-01")),
    Case("council-not-in-operation", "Cumbria's code 909 ended on 31 March 2023, before the period.",
         [["council-not-in-operation", "metadata", None, "old_la_code"]], edit=meta(old_la_code="909", new_la_code="E10000006")),
    Case("ok-council-successor", "Westmorland and Furness (943), in operation from 1 April 2023.", [],
         edit=meta(old_la_code="943", new_la_code="E06000064")),
    Case("council-codes-mismatch", "The ONS code is Croydon's, the DfE code Kent's.",
         [["council-codes-mismatch", "metadata", None, "new_la_code"]], edit=meta(new_la_code="E09000008")),
    Case("codelist-value-council", "A DfE code that is no council's.", [["codelist-value", "metadata", None, "old_la_code"]],
         edit=meta(old_la_code="999")),
    Case("pattern-mismatch-metadata", "An ONS code in the wrong form (and so no council's).",
         [["codelist-value", "metadata", None, "new_la_code"], ["pattern-mismatch", "metadata", None, "new_la_code"]],
         edit=meta(new_la_code="X10000016")),
    Case("type-error-metadata", "The created time is not an ISO date and time.",
         [["type-error", "metadata", None, "created"]], edit=meta(created="1 May 2026")),
    # ---------------------------------------------------------------- tables and headers
    Case("table-missing", "The interview_episodes table is missing.", [["table-missing", IE, None, None]],
         files=drop_table(IE)),
    Case("table-unknown", "A table that is not in the standard.", [["table-unknown", None, None, None]], files=extra_table),
    Case("column-missing", "The group_id column (the last) is missing.", [["column-missing", ME, None, "group_id"]],
         files=columns(f"{ME}.csv", lambda c: c[:-1])),
    Case("ok-deprecated-columns-left-out", "The deprecated columns (the children table's NRM fields, police_risk_level) "
         "left out: their cells count as empty.", [],
         files=both_files(*(drop_columns(t, [f for u, f in DEPRECATED if u == t])
                            for t in dict.fromkeys(t for t, _ in DEPRECATED)))),
    Case("field-deprecated", "The deprecated police_risk_level given beside the highest risk for E2 and E3: one warning, "
         "at E2.", [], edit=both(setv(ME, "E2", police_risk_level="low"), setv(ME, "E3", police_risk_level="high"))),
    Case("field-deprecated-json", "JSON form: the deprecated police_risk_level given for E3: one warning.", [],
         edit=setv(ME, "E3", police_risk_level="high"), form="json"),
    Case("column-unknown", "A column that is not in the standard.", [["column-unknown", CH, 1, None]],
         files=columns(f"{CH}.csv", lambda c: [*c, "note" if c[0] == "child_id" else ""])),
    Case("column-unknown-misspelt", "found_location misspelt: reported once, with a suggestion.",
         [["column-unknown", ME, 1, None]],
         files=lines(f"{ME}.csv", lambda ls: [ls[0].replace("found_location", "found_locaton"), *ls[1:]])),
    Case("column-duplicate", "The sex column twice.", [["column-duplicate", CH, 1, "sex"]],
         files=columns(f"{CH}.csv", lambda c: [*c, c[2]])),
    Case("column-blank", "A column without a name.", [["column-blank", CH, 1, None]],
         files=columns(f"{CH}.csv", lambda c: [*c, ""])),
    Case("column-order", "start_date and end_date swapped (with their cells).", [["column-order", PL, 1, "start_date"]],
         files=columns(f"{PL}.csv", swap(2, 3))),
    # ---------------------------------------------------------------- rows
    Case("row-blank", "A blank line after the first episode: later rows keep their numbers in the file.",
         [["row-blank", ME, 3, None]], files=lines(f"{ME}.csv", lambda ls: [ls[0], ls[1], "", *ls[2:]])),
    Case("row-extra-cells", "A row with one cell too many.", [["row-extra-cells", ME, 3, None]],
         files=lines(f"{ME}.csv", lambda ls: [*ls[:2], ls[2] + ",x", *ls[3:]])),
    Case("row-missing-cells", "A row with one cell too few.", [["row-missing-cells", ME, 3, None]],
         files=lines(f"{ME}.csv", lambda ls: [*ls[:2], ls[2].rsplit(",", 1)[0], *ls[3:]])),
    # ---------------------------------------------------------------- cells
    Case("required-missing", "A child without a sex.", [["required-missing", CH, 2, "sex"]], edit=setv(CH, "C1", sex=None)),
    Case("required-missing-json", "JSON form: a child without a sex.", [["required-missing", CH, 2, "sex"]],
         edit=setv(CH, "C1", sex=None), form="json"),
    Case("type-error-date", "A date written dd/mm/yyyy.", [["type-error", ME, 3, "start_date"]],
         edit=setv(ME, "E2", start_date="10/08/2025")),
    Case("type-error-date-json", "JSON form: a date that does not exist.", [["type-error", ME, 3, "start_date"]],
         edit=setv(ME, "E2", start_date="2025-02-30"), form="json"),
    Case("type-error-boolean", "yes for a true/false field.", [["type-error", ME, 3, "reported_to_police"]],
         edit=setv(ME, "E2", reported_to_police="yes")),
    Case("type-error-yearmonth", "A month 13.", [["type-error", CH, 2, "birth_year_month"]],
         edit=setv(CH, "C1", birth_year_month="2009-13")),
    Case("type-error-time", "A time with a 25th hour.", [["type-error", ME, 2, "start_time"]],
         edit=setv(ME, "E1", start_time="25:00:00")),
    Case("column-fault", "Every episode's start date written dd/mm/yyyy (23 episodes): one finding for the column, "
         "not one per cell, and no rule fires on the dates that could not be read.",
         [["column-fault", ME, None, "start_date"]], edit=day_first_start_dates),
    Case("type-error-date-no-knock-on", "A placement's start date written dd/mm/yyyy: the type error only. Its "
         "episode E1 is on no day of a placement whose dates can be read, but the rules do not check a child's records "
         "while a date they read fails its check (episode-not-looked-after would fire).",
         [["type-error", PL, 2, "start_date"]], edit=setv(PL, "P1", start_date="01/01/2021")),
    Case("codelist-value", "A sex code in lower case.", [["codelist-value", CH, 2, "sex"]], edit=setv(CH, "C1", sex="m")),
    Case("codelist-value-list", "One item of a list field is not a code.", [["codelist-value", CH, 3, "exploitation_types"]],
         edit=setv(CH, "C2", exploitation_types="criminal;slavery")),
    Case("pattern-mismatch", "An interview identifier with a space.", [["pattern-mismatch", RI, 3, "interview_id"]],
         edit=both(setv(RI, "R2", interview_id="R 2"), setv(IE, "R2", interview_id="R 2"))),
    Case("code-not-in-use", "Z1 (withdrawn after 31 March 2025) for a placement that began in June 2025.",
         [["code-not-in-use", PL, 3, "placement_type"]], edit=setv(PL, "P2", placement_type="Z1")),
    Case("ok-code-not-in-use", "Z1 for a placement that began in 2021, while it was in use.", [],
         edit=setv(PL, "P1", placement_type="Z1")),
    # ---------------------------------------------------------------- keys
    Case("primary-key-duplicate", "An episode repeated.", [["primary-key-duplicate", ME, 5, "episode_id"]],
         edit=add(ME, "E2", "C1", "P2", "away", "2025-08-10", N, "2025-08-10", N, "false", N, "returned", "in_council_area")),
    Case("foreign-key-missing", "A link to an episode that does not exist.", [["foreign-key-missing", IE, 3, "episode_id"]],
         edit=setv(IE, "R2", episode_id="E9")),
    Case("foreign-key-missing-child", "An episode of a child not in the children table.",
         [["foreign-key-missing", ME, 4, "child_id"], ["episode-not-looked-after", ME, 4, "start_date"],
          ["episode-placement-other-child", ME, 4, "placement_id"], ["interview-episode-other-child", IE, 3, "episode_id"]],
         edit=setv(ME, "E3", child_id="C9")),
    # ---------------------------------------------------------------- rules: placements and episodes
    Case("placement-ends-before-start", "A placement that ends before it starts.",
         [["placement-ends-before-start", PL, 5, "end_date"]],
         edit=add(PL, "P4", "C2", "2024-02-01", "2024-01-15", "V2", "K2", "PR4", "true", "X1")),
    Case("episode-ends-before-start", "An episode that ends the day before it starts.",
         [["episode-ends-before-start", ME, 3, "end_date"]], edit=setv(ME, "E2", end_date="2025-08-09")),
    Case("episode-ends-before-start-time", "An episode that ends on its start day, before its start time.",
         [["episode-ends-before-start", ME, 2, "end_date"]], edit=setv(ME, "E1", end_date="2025-05-01")),
    Case("ok-episode-same-day", "An episode that ends on its start day, after its start time.", [],
         edit=setv(ME, "E1", end_date="2025-05-01", end_time="23:30:00")),
    Case("episode-child-adult", "Born May 2007: certainly 18 by 1 June 2025, so on 10 August (not on 1 May).",
         [["episode-child-adult", ME, 3, "start_date"]], edit=setv(CH, "C1", birth_year_month="2007-05")),
    Case("ok-episode-child-maybe-adult", "Born August 2007: perhaps 18 on 10 August 2025, but not certainly.", [],
         edit=setv(CH, "C1", birth_year_month="2007-08")),
    Case("episode-before-birth", "Born August 2025: certainly not born on 1 May (perhaps born by 10 August).",
         [["episode-before-birth", ME, 2, "start_date"]], edit=setv(CH, "C1", birth_year_month="2025-08")),
    Case("episode-not-looked-after", "An episode the day before the child's placement began (a query).",
         [["episode-not-looked-after", ME, 4, "start_date"]], edit=setv(PL, "P3", start_date="2025-09-02")),
    Case("ok-episode-first-day-of-care", "An episode on the day the placement began.", [],
         edit=setv(PL, "P3", start_date="2025-09-01")),
    Case("episodes-overlap", "An episode that starts before the child's previous episode ended.",
         [["episodes-overlap", ME, 3, "start_date"]], edit=setv(ME, "E2", start_date="2025-05-01", end_date="2025-05-03")),
    Case("ok-episodes-back-to-back", "An episode that starts on the day the previous one ended.", [],
         edit=setv(ME, "E2", start_date="2025-05-02", end_date="2025-05-03")),
    Case("multiple-open-episodes", "Two episodes of one child without end dates.",
         [["multiple-open-episodes", ME, 6, "end_date"]],
         edit=both(add(ME, "E4", "C2", "P3", "missing", "2025-10-01", N, N, N, "true", "high", "still_missing", N),
                   add(ME, "E5", "C2", "P3", "missing", "2025-11-01", N, N, N, "true", "high", "still_missing", N))),
    Case("ok-one-open-episode", "One episode still open while the child is looked after.", [],
         edit=add(ME, "E4", "C2", "P3", "missing", "2025-10-01", N, N, N, "true", "high", "still_missing", N)),
    Case("episode-open-after-care-ended", "An open episode of a child whose care has ended.",
         [["episode-open-after-care-ended", ME, 5, "end_date"]],
         edit=both(setv(PL, "P3", end_date="2025-12-31", end_reason="E8"),
                   add(ME, "E4", "C2", "P3", "missing", "2025-10-01", N, N, N, "true", "high", "still_missing", N))),
    # SSDA903 rule 580 (ceased-while-missing-not-e8): C2 born December 2007 turns 18 in December 2025
    Case("ceased-while-missing-not-e8", "Care ended (E5) on 1 December 2025, perhaps the 18th birthday of a child born "
         "December 2007, on the day a missing episode ended with the end of care (a query).",
         [["ceased-while-missing-not-e8", PL, 4, "end_reason"]], edit=ceased_at("2007-12", "2025-12-01", "E5")),
    Case("ceased-while-missing-not-e8-last-day", "Care ended (E16) on the last day of the 18th birthday month.",
         [["ceased-while-missing-not-e8", PL, 4, "end_reason"]], edit=ceased_at("2007-12", "2025-12-31", "E16")),
    Case("ceased-while-missing-not-e8-reason-unknown", "Care ended (E5) in the 18th birthday month on the day an "
         "episode ended, how it ended not given (as in SSDA903 data).",
         [["ceased-while-missing-not-e8", PL, 4, "end_reason"]],
         edit=both(ceased_at("2007-12", "2025-12-20", "E5"), setv(ME, "E4", end_reason=None))),
    Case("ceased-while-missing-not-e8-leap-day", "Born February 2008 (a leap year): a 29 February child turns 18 on "
         "1 March 2026, when care ended (E5).",
         [["ceased-while-missing-not-e8", PL, 4, "end_reason"]], edit=ceased_at("2008-02", "2026-03-01", "E5")),
    Case("ok-ceased-while-missing-e8", "Care ended with E8 in the 18th birthday month while missing.", [],
         edit=ceased_at("2007-12", "2025-12-01", "E8")),
    Case("ok-ceased-while-missing-after-birthday-month", "Care ended (E5) on 1 January 2026, certainly after the 18th "
         "birthday of a child born December 2007.", [], edit=ceased_at("2007-12", "2026-01-01", "E5")),
    Case("ok-ceased-while-missing-before-birthday-month", "Care taken over by another council (E3) while missing, on "
         "30 November 2025, before the 18th birthday month: E8 is not required.", [],
         edit=ceased_at("2007-12", "2025-11-30", "E3")),
    Case("ok-ceased-while-missing-day-after-leap-day", "Born February 2008: 2 March 2026 is certainly after the 18th "
         "birthday.", [], edit=ceased_at("2008-02", "2026-03-02", "E5")),
    Case("ok-ceased-at-18-after-return", "The child returned on the day care ended (E5) in the 18th birthday month: not "
         "missing when care ended.", [], edit=both(ceased_at("2007-12", "2025-12-20", "E5"),
                                                  setv(ME, "E4", end_reason="returned"))),
    # SSDA903 rule 577, the closed case
    Case("episode-ends-after-care-ended", "Care ended (E5) on 31 December 2025 while the child was missing; the episode "
         "ends the day after (a query).", [["episode-ends-after-care-ended", ME, 5, "end_date"]],
         edit=both(setv(PL, "P3", end_date="2025-12-31", end_reason="E5"),
                   add(ME, "E4", "C2", "P3", "missing", "2025-12-20", N, "2026-01-01", N, "true", "high", "returned",
                       "in_council_area"))),
    Case("ok-episode-ends-after-care-resumed", "Care ended (E5) while the child was missing and began again (a new "
         "placement) before the episode ended: looked after when found.", [],
         edit=both(setv(PL, "P3", end_date="2025-12-31", end_reason="E5"),
                   add(PL, "P4", "C2", "2026-01-03", N, "V2", "K2", "PR4", "true", N),
                   add(ME, "E4", "C2", "P3", "missing", "2025-12-20", N, "2026-01-05", N, "true", "high", "returned",
                       "in_council_area"))),
    Case("ok-episode-ends-when-care-ended", "The episode ends on the day care ended (E5), by the end of care.", [],
         edit=both(setv(PL, "P3", end_date="2025-12-31", end_reason="E5"),
                   add(ME, "E4", "C2", "P3", "missing", "2025-12-20", N, "2025-12-31", N, "true", "high",
                       "ceased_looked_after", "unknown"))),
    Case("ok-episode-spans-placement-change", "The placement changes (X1) while the child is missing: care goes on.", [],
         edit=both(setv(PL, "P3", end_date="2025-12-31", end_reason="X1"),
                   add(PL, "P4", "C2", "2025-12-31", N, "V2", "K2", "PR4", "true", N),
                   add(ME, "E4", "C2", "P3", "missing", "2025-12-20", N, "2026-01-05", N, "true", "high", "returned",
                       "in_council_area"))),
    # SSDA903 rule 575
    Case("episode-open-after-placement-ended", "The placement the child went missing from ended (X1) while the episode "
         "is open; the child is still looked after (a query).", [["episode-open-after-placement-ended", ME, 5, "end_date"]],
         edit=both(setv(PL, "P3", end_date="2025-12-31", end_reason="X1"),
                   add(PL, "P4", "C2", "2025-12-31", N, "V2", "K2", "PR4", "true", N),
                   add(ME, "E4", "C2", "P3", "missing", "2025-12-20", N, N, N, "true", "high", "still_missing", N))),
    Case("ok-episode-open-placement-open", "An open episode linked to the child's open placement.", [],
         edit=both(setv(PL, "P3", end_date="2025-12-31", end_reason="X1"),
                   add(PL, "P4", "C2", "2025-12-31", N, "V2", "K2", "PR4", "true", N),
                   add(ME, "E4", "C2", "P4", "missing", "2026-01-02", N, N, N, "true", "high", "still_missing", N))),
    Case("episode-placement-other-child", "An episode of C2 names a placement of C1 (a query).",
         [["episode-placement-other-child", ME, 4, "placement_id"]], edit=setv(ME, "E3", placement_id="P1")),
    Case("ok-episode-without-placement", "An episode that names no placement (a UASC not yet placed).", [],
         edit=setv(ME, "E3", placement_id=None)),
    Case("episode-ceased-without-care-end", "An episode ended by the end of care, but the placement goes on.",
         [["episode-ceased-without-care-end", ME, 4, "end_reason"]], edit=setv(ME, "E3", end_reason="ceased_looked_after")),
    Case("ok-ceased-looked-after", "An episode ended by the end of care, the placement ending that day with E8.", [],
         edit=both(setv(ME, "E3", end_reason="ceased_looked_after"), setv(PL, "P3", end_date="2025-09-03", end_reason="E8"))),
    Case("ok-ceased-looked-after-transfer", "An episode ended by the end of care, care taken over by another council "
         "(E3) that day: a reason other than E8 also ends care.", [],
         edit=both(setv(ME, "E3", end_reason="ceased_looked_after"), setv(PL, "P3", end_date="2025-09-03", end_reason="E3"))),
    Case("episode-ceased-without-care-end-x1", "An episode ended by the end of care, but the placement ends that day "
         "with X1: a new placement begins, care goes on.",
         [["episode-ceased-without-care-end", ME, 4, "end_reason"]],
         edit=both(setv(ME, "E3", end_reason="ceased_looked_after"), setv(PL, "P3", end_date="2025-09-03", end_reason="X1"),
                   add(PL, "P4", "C2", "2025-09-03", N, "V2", "K2", "PR4", "true", N))),
    Case("episode-end-reason-mismatch", "'still missing' on an episode with an end date.",
         [["episode-end-reason-mismatch", ME, 3, "end_reason"]], edit=setv(ME, "E2", end_reason="still_missing")),
    Case("episode-outside-period", "An episode after the reporting period.", [["episode-outside-period", ME, 3, "start_date"]],
         edit=setv(ME, "E2", start_date="2026-04-10", end_date="2026-04-10")),
    Case("ok-episode-spans-period-start", "An episode open when the period began.", [],
         edit=setv(ME, "E2", start_date="2025-03-30", end_date="2025-04-02", placement_id="P1")),
    Case("episode-longer-than-year", "A closed episode of 398 days (a query).", [["episode-longer-than-year", ME, 4, "end_date"]],
         edit=setv(ME, "E3", start_date="2024-08-01")),
    # ---------------------------------------------------------------- rules: return interviews
    Case("interview-before-episode-end", "An interview offered before the episode ended.",
         [["interview-before-episode-end", RI, 2, "offered_date"]], edit=setv(RI, "R1", offered_date="2025-05-01")),
    Case("interview-accepted-not-offered", "An interview accepted but never offered.",
         [["interview-accepted-not-offered", RI, 2, "offered_date"]], edit=setv(RI, "R1", offered_date=None)),
    Case("interview-late", "An interview on the fourth day after return (a warning: the data is valid).",
         [["interview-late", RI, 2, "completed_date"]], edit=setv(RI, "R1", completed_date="2025-05-06"), valid=True),
    Case("ok-interview-third-day", "An interview on the third day after return.", [],
         edit=setv(RI, "R1", completed_date="2025-05-05")),
    Case("interview-late-by-time", "An interview on the third day after return, 72 hours and 1 second after the "
         "episode's end time (both times recorded).", [["interview-late", RI, 2, "completed_date"]],
         edit=setv(RI, "R1", completed_date="2025-05-05", completed_time="08:00:01"), valid=True),
    Case("ok-interview-72-hours-exactly", "An interview exactly 72 hours after the episode's end time.", [],
         edit=setv(RI, "R1", completed_date="2025-05-05", completed_time="08:00:00")),
    Case("ok-interview-third-day-end-time-unknown", "An interview late on the third day after return, the episode's "
         "end time not recorded: only the dates are certain.", [],
         edit=both(setv(RI, "R1", completed_date="2025-05-05", completed_time="23:00:00"), setv(ME, "E1", end_time=None))),
    Case("interview-late-earlier-episode", "An interview covering two episodes: two days after the child's return from "
         "the later, five days after the return from the earlier (a warning).",
         [["interview-late", RI, 2, "completed_date"]],
         edit=both(add(ME, "E4", "C1", "P1", "missing", "2025-04-28", N, "2025-04-29", N, "true", "low", "returned",
                       "in_council_area"), add(IE, "R1", "E4")), valid=True),
    Case("ok-interview-covers-two-episodes", "An interview covering two episodes, within three days of the return "
         "from each.", [],
         edit=both(add(ME, "E4", "C1", "P1", "missing", "2025-04-30", N, "2025-05-01", N, "true", "low", "returned",
                       "in_council_area"), add(IE, "R1", "E4"))),
    Case("interview-episode-other-child", "C2's interview linked to an episode of C1 (a query).",
         [["interview-episode-other-child", IE, 4, "episode_id"]], edit=add(IE, "R2", "E1")),
    Case("ok-interview-episode-same-child", "C2's interview linked to a second episode of C2.", [],
         edit=both(add(ME, "E4", "C2", "P3", "missing", "2025-08-25", N, "2025-08-26", N, "true", "low", "returned",
                       "in_council_area"), add(IE, "R2", "E4"))),
    Case("interview-declined-reason-not-declined", "A reason for declining given for an interview that was accepted "
         "and held (a query).", [["interview-declined-reason-not-declined", RI, 2, "declined_reason"]],
         edit=setv(RI, "R1", declined_reason="not_wanted")),
    Case("interview-declined-reason-held", "A reason for declining given for an interview held, whether it was "
         "accepted not recorded (a query).", [["interview-declined-reason-not-declined", RI, 2, "declined_reason"]],
         edit=setv(RI, "R1", accepted=None, declined_reason="no_reason_given")),
    Case("ok-interview-declined-reason", "A reason for declining given for an interview offered and not accepted.", [],
         edit=setv(RI, "R2", declined_reason="prefers_trusted_adult")),
    # ---------------------------------------------------------------- rules: councils named in records
    Case("council-code-unknown", "The council a child was found in: an English code of the right form that is no "
         "council's (a query).", [["council-code-unknown", ME, 4, "found_council"]],
         edit=setv(ME, "E3", found_council="E08000999")),
    Case("council-code-unknown-nts", "The council a child came from through the National Transfer Scheme: no council's "
         "code (a query).", [["council-code-unknown", CH, 3, "nts_from_council"]],
         edit=setv(CH, "C2", national_transfer_scheme="true", nts_from_council="E10000099")),
    Case("council-code-unknown-placed-in", "The council a placement is in: no council's code (a query).",
         [["council-code-unknown", PL, 3, "placed_in_council"]], edit=setv(PL, "P2", placed_in_council="E06000999")),
    Case("council-code-unknown-transfer", "Care taken over by another council (E3): the council care passed to is no "
         "council's code (a query).", [["council-code-unknown", PL, 4, "transfer_council"]],
         edit=setv(PL, "P3", end_date="2025-12-31", end_reason="E3", transfer_council="E09000099")),
    Case("ok-council-code-known", "Council codes of councils in the codelist: Kent's placement, found in Croydon, "
         "transferred from Birmingham, care passed to Croydon on a transfer (E3).", [],
         edit=both(setv(PL, "P2", placed_in_council="E10000016"), setv(ME, "E3", found_council="E09000008"),
                   setv(CH, "C2", national_transfer_scheme="true", nts_from_council="E08000025"),
                   setv(PL, "P3", end_date="2025-12-31", end_reason="E3", transfer_council="E09000008"))),
    Case("ok-council-code-reorganised", "Found in Cumbria (E10000006, replaced on 1 April 2023): a code of the "
         "codelist, though the council is no longer in operation.", [], edit=setv(ME, "E1", found_council="E10000006")),
    Case("ok-council-code-wales", "Placed in Cardiff (W06000015): councils outside England are not in the codelist, "
         "so not checked.", [], edit=setv(PL, "P2", placed_in_council="W06000015")),
    Case("transfer-council-not-e3", "A council care passed to on a placement that ended with X1, a change of placement "
         "(a query).", [["transfer-council-not-e3", PL, 2, "transfer_council"]],
         edit=setv(PL, "P1", transfer_council="E09000008")),
    Case("transfer-council-not-e3-open", "A council care passed to on a placement that has not ended (a query).",
         [["transfer-council-not-e3", PL, 4, "transfer_council"]], edit=setv(PL, "P3", transfer_council="E09000008")),
    Case("transfer-council-not-e3-e8", "A council care passed to when care ended with E8, not a transfer (a query).",
         [["transfer-council-not-e3", PL, 4, "transfer_council"]],
         edit=setv(PL, "P3", end_date="2025-12-31", end_reason="E8", transfer_council="E09000008")),
    # ---------------------------------------------------------------- rules: trafficking and UASC
    # Each NRM rule on a row of nrm_referrals, and on the children table's deprecated fields of a child with no row
    # there (legacy_nrm); the children fields of a child who has rows in nrm_referrals are not checked.
    Case("nrm-rg-before-referral", "A reasonable grounds decision before the referral.",
         [["nrm-rg-before-referral", NR, 2, "reasonable_grounds_date"]],
         edit=setv(NR, "N1", reasonable_grounds_date="2025-04-30")),
    Case("nrm-rg-before-referral-children", "The children table's fields: a reasonable grounds decision before the "
         "referral.", [["nrm-rg-before-referral", CH, 3, "nrm_reasonable_grounds_date"]],
         edit=legacy_nrm(nrm_reasonable_grounds_date="2025-04-30")),
    Case("ok-nrm-children-fields-beside-referrals", "The children table's fields of a child with a row in nrm_referrals "
         "are not checked: the referrals table is the record.", [],
         edit=setv(CH, "C2", **{**C2_NRM, "nrm_reasonable_grounds_date": "2025-04-30"})),
    Case("nrm-cg-before-rg", "A conclusive grounds decision before the reasonable grounds decision.",
         [["nrm-cg-before-rg", NR, 2, "conclusive_grounds_date"]], edit=setv(NR, "N1", conclusive_grounds_date="2025-05-05")),
    Case("nrm-cg-before-rg-children", "The children table's fields: conclusive grounds before reasonable grounds.",
         [["nrm-cg-before-rg", CH, 3, "nrm_conclusive_grounds_date"]],
         edit=legacy_nrm(nrm_conclusive_grounds_date="2025-05-05")),
    Case("nrm-cg-without-positive-rg", "A conclusive grounds decision after a negative reasonable grounds decision.",
         [["nrm-cg-without-positive-rg", NR, 2, "conclusive_grounds_decision"]],
         edit=setv(NR, "N1", reasonable_grounds_decision="negative")),
    Case("nrm-cg-without-positive-rg-children", "The children table's fields: conclusive grounds after a negative "
         "reasonable grounds decision.", [["nrm-cg-without-positive-rg", CH, 3, "nrm_conclusive_grounds_decision"]],
         edit=legacy_nrm(nrm_reasonable_grounds_decision="negative")),
    Case("nrm-cg-within-30-days", "A conclusive grounds decision 22 days after reasonable grounds (a query).",
         [["nrm-cg-within-30-days", NR, 2, "conclusive_grounds_date"]],
         edit=setv(NR, "N1", conclusive_grounds_date="2025-06-01")),
    Case("ok-nrm-cg-after-30-days", "A conclusive grounds decision exactly 30 days after reasonable grounds.", [],
         edit=setv(NR, "N1", conclusive_grounds_date="2025-06-09")),
    Case("nrm-cg-within-45-days", "Reasonable grounds on 12 December 2022, when the recovery period was 45 days; "
         "conclusive grounds 44 days later (a query).", [["nrm-cg-within-30-days", NR, 2, "conclusive_grounds_date"]],
         edit=nrm_dates("2022-12-12", "2023-01-25")),
    Case("ok-nrm-cg-after-45-days", "Reasonable grounds on 12 December 2022, conclusive grounds 45 days later.", [],
         edit=nrm_dates("2022-12-12", "2023-01-26")),
    Case("nrm-cg-within-30-days-from-change", "Reasonable grounds on 13 December 2022, the first day of the 30-day "
         "period; conclusive grounds 29 days later (a query).",
         [["nrm-cg-within-30-days", NR, 2, "conclusive_grounds_date"]], edit=nrm_dates("2022-12-13", "2023-01-11")),
    Case("ok-nrm-cg-30-days-from-change", "Reasonable grounds on 13 December 2022, conclusive grounds 30 days later "
         "(a query before the change).", [], edit=nrm_dates("2022-12-13", "2023-01-12")),
    Case("nrm-cg-within-45-days-children", "The children table's fields: reasonable grounds on 12 December 2022, "
         "conclusive grounds 44 days later (a query).", [["nrm-cg-within-30-days", CH, 3, "nrm_conclusive_grounds_date"]],
         edit=legacy_nrm(nrm_referral_date="2022-12-12", nrm_reasonable_grounds_date="2022-12-12",
                         nrm_conclusive_grounds_date="2023-01-25")),
    Case("ok-nrm-cg-30-days-from-change-children", "The children table's fields: reasonable grounds on 13 December "
         "2022, conclusive grounds 30 days later.", [],
         edit=legacy_nrm(nrm_referral_date="2022-12-13", nrm_reasonable_grounds_date="2022-12-13",
                         nrm_conclusive_grounds_date="2023-01-12")),
    Case("nrm-referral-no-concern", "An NRM referral (with a positive reasonable grounds decision) while the "
         "trafficking concern is none known.",
         [["nrm-referral-no-concern", CH, 3, "trafficking_concern"],
          ["nrm-positive-rg-no-concern", NR, 2, "reasonable_grounds_decision"]],
         edit=setv(CH, "C2", trafficking_concern="none_known")),
    Case("nrm-referral-no-concern-children", "The children table's fields: an NRM referral (with a positive reasonable "
         "grounds decision) while the trafficking concern is none known.",
         [["nrm-referral-no-concern", CH, 3, "trafficking_concern"],
          ["nrm-positive-rg-no-concern", CH, 3, "nrm_reasonable_grounds_decision"]],
         edit=both(legacy_nrm(), setv(CH, "C2", trafficking_concern="none_known"))),
    Case("nrm-positive-rg-no-concern-children", "The children table's fields: a positive reasonable grounds decision, no "
         "referral date, while the trafficking concern is none known (a query).",
         [["nrm-positive-rg-no-concern", CH, 3, "nrm_reasonable_grounds_decision"]],
         edit=both(legacy_nrm(nrm_referral_date=None), setv(CH, "C2", trafficking_concern="none_known"))),
    Case("ok-nrm-negative-rg-no-concern", "The children table's fields: a negative reasonable grounds decision, no "
         "referral date, while the trafficking concern is none known.", [],
         edit=both(legacy_nrm(nrm_referral_date=None, nrm_reasonable_grounds_decision="negative",
                              nrm_conclusive_grounds_decision=None, nrm_conclusive_grounds_date=None),
                   setv(CH, "C2", trafficking_concern="none_known"))),
    Case("ok-nrm-positive-rg-suspected", "A positive reasonable grounds decision with the trafficking concern "
         "suspected, the conclusive grounds decision pending.", [],
         edit=both(setv(NR, "N1", conclusive_grounds_decision="pending", conclusive_grounds_date=None, status="open"),
                   setv(CH, "C2", trafficking_concern="suspected"))),
    Case("uasc-end-after-18", "Born September 2008: UASC status ending on 1 October 2026, the day after the latest "
         "possible 18th birthday.", [["uasc-end-after-18", CH, 3, "uasc_end_date"]],
         edit=setv(CH, "C2", uasc_end_date="2026-10-01")),
    Case("uasc-end-after-18-leap-year", "Born February 2008 (a leap year): UASC status ending on 2 March 2026, after "
         "the 1 March birthday of a 29 February child.", [["uasc-end-after-18", CH, 3, "uasc_end_date"]],
         edit=setv(CH, "C2", birth_year_month="2008-02", uasc_end_date="2026-03-02")),
    Case("ok-uasc-end-leap-day-birthday", "Born February 2008: UASC status ending on 1 March 2026, perhaps the 18th "
         "birthday of a 29 February child.", [], edit=setv(CH, "C2", birth_year_month="2008-02", uasc_end_date="2026-03-01")),
    Case("ok-uasc-end-on-18th-birthday", "UASC status ending on the last possible 18th birthday.", [],
         edit=setv(CH, "C2", uasc_end_date="2026-09-30")),
    Case("uasc-under-10", "A UASC certainly younger than 10 when the status began (a query).",
         [["uasc-under-10", CH, 3, "birth_year_month"]], edit=setv(CH, "C2", birth_year_month="2015-09")),
    Case("uasc-under-11", "A UASC who may have turned 10, but not 11, the day the status began: a query in a period "
         "of the 2024-25 collection or later (SSDA903 rule 231).", [["uasc-under-10", CH, 3, "birth_year_month"]],
         edit=setv(CH, "C2", birth_year_month="2014-06")),
    Case("ok-uasc-perhaps-11", "A UASC who may have turned 11 the day the status began.", [],
         edit=setv(CH, "C2", birth_year_month="2013-06")),
]


def deprecated_in_use(sub: Submission) -> list[list[object]]:
    """A field-deprecated warning for each deprecated field holding a value, at the first row holding one."""
    out: list[list[object]] = []
    for t, f in DEPRECATED:
        rows = [n for n, r in enumerate(sub.tables.get(t, []), start=2) if r.get(f) is not None]
        if rows:
            out.append(["field-deprecated", t, rows[0], f])
    return out


def write(case: Case) -> None:
    folder = OUT / case.name
    shutil.rmtree(folder, ignore_errors=True)
    inp = folder / "input"
    sub = base()
    if case.edit:
        case.edit(sub)
    if case.form == "json":
        inp.mkdir(parents=True)
        write_json(sub, inp / "submission.json")
    else:
        write_csv_package(sub, inp)
        if case.files:
            case.files(inp)
    blocking = {"error", "query"}
    from mcds.catalogue import catalogue

    kinds = catalogue("1.1")
    valid = case.valid if case.valid is not None else not any(kinds[i[0]].severity.value in blocking for i in case.issues)
    issues = case.issues + deprecated_in_use(sub)
    expected = {"description": case.description, "valid": valid, "issues": sorted(issues, key=json.dumps)}
    (folder / "expected.json").write_text(json.dumps(expected, indent=2) + "\n", encoding="utf-8")


def main() -> None:
    names = [c.name for c in CASES]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise SystemExit(f"duplicate case names: {sorted(dupes)}")
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.iterdir():
        if old.is_dir() and old.name not in names:
            shutil.rmtree(old)
    for c in CASES:
        write(c)


if __name__ == "__main__":
    main()
