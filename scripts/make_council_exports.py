"""Generate the synthetic council-format fixtures from the synthetic submissions in fixtures/valid/.

Renders the example submissions back into the formats councils already produce, then adds the
real-world mess the converters must cope with (fixed seed; never real data):

- ``fixtures/ssda903/<case>/``: SSDA903 returns as CSV files (files named anyhow, since tables are
  recognised by their columns; UTF-8 BOM, CRLF, lower-case codes, stray spaces, an ignored
  Reviews table, rows that cannot be converted, a repeated missing episode, an episode ending
  before it starts) and as XML; collection years 2023-24 (SEX 1/2, H5), 2024-25 and 2025-26
  (Z11-Z14).
- ``fixtures/cin/``: CIN census XML files for the 2024-25 returns, with the same children: Kent's
  for the CSV case, Manchester's for the XML case.
- ``fixtures/annex_a/``: Ofsted Annex A workbooks (List 8), one agreeing with fixtures/valid/kent
  and one with deliberate differences, for `mcds reconcile`.
- ``fixtures/mapped/<system>/``: exports in the style of Liquidlogic (HDM), Mosaic and Eclipse,
  each with its mapping.yaml (the mappings are written by hand and not regenerated).

    python scripts/make_council_exports.py
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import random
import shutil
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from mcds import standard as std  # noqa: E402
from mcds.safety import normalise_xlsx  # noqa: E402
from mcds.submission import Submission, read_csv_package  # noqa: E402

SEED = 20261125
STAMP = "2025-05-01T09:00:00Z"  # workbooks' created time, so the same run gives the same bytes
FIX = ROOT / "fixtures"
D = dt.date

Row = dict[str, str | None]


# ---------------------------------------------------------------- helpers


def date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


def dmy(d: dt.date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def day_of_birth(child: Row, years: int = 0) -> dt.date:
    """A made-up day in the child's birth month (the standard keeps only the month)."""
    y, m = map(int, (child["birth_year_month"] or "2010-01").split("-"))
    day = 1 + int(hashlib.sha256((child["child_id"] or "").encode()).hexdigest(), 16) % 28
    return D(y + years, m, day)


def write_csv(path: Path, header: list[str], rows: list[list[str]], *, bom: bool = False, crlf: bool = False) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n" if crlf else "\n")
    w.writerow(header)
    w.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\ufeff" if bom else "").encode() + buf.getvalue().encode("utf-8"))


def by_child(rows: list[Row]) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        out[r["child_id"] or ""].append(r)
    return out


def subset(sub: Submission, with_episodes: int, without: int, skip: int = 0) -> Submission:
    """A small submission: some children with missing episodes and some without."""
    eps = by_child(sub.rows("missing_episodes"))
    having = [c for c in sub.rows("children") if c["child_id"] in eps][skip:skip + with_episodes]
    lacking = [c for c in sub.rows("children") if c["child_id"] not in eps][skip:skip + without]
    keep = {c["child_id"] for c in having + lacking}
    out = Submission(dict(sub.metadata))
    out.tables["children"] = [c for c in sub.rows("children") if c["child_id"] in keep]
    for t in ("placements", "missing_episodes", "return_interviews"):
        out.tables[t] = [r for r in sub.rows(t) if r["child_id"] in keep]
    kept_interviews = {r["interview_id"] for r in out.tables["return_interviews"]}
    out.tables["interview_episodes"] = [r for r in sub.rows("interview_episodes") if r["interview_id"] in kept_interviews]
    return out


def local_ids(sub: Submission, first: int) -> dict[str, str]:
    """Case-management style identifiers for the children (the fixtures' ids are pseudonyms)."""
    return {c["child_id"] or "": str(first + i * 7) for i, c in enumerate(sub.rows("children"))}


# ---------------------------------------------------------------- SSDA903

SEX_2023 = {"M": "1", "F": "2", "U": "2"}
HEADER = ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]
EPISODES = ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC", "REASON_PLACE_CHANGE",
            "HOME_POST", "PL_POST", "URN"]
UASC = ["CHILD", "SEX", "DOB", "DUC"]
MISSING = ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"]
REVIEWS = ["CHILD", "DOB", "REVIEW", "REVIEW_CODE"]
M_CODE = {"missing": "M", "away": "A", "not_distinguished": "M"}


def place_code(code: str | None, year: int, n: int) -> str:
    """Placement codes of the collection year: K3 arrived in 2024-25; Z1 split into Z11-Z14 in 2025-26."""
    code = code or ""
    if year <= 2024 and code == "K3":
        return "H5"
    if year >= 2026 and code == "K3" and n % 3 == 0:
        return ("Z11", "Z12", "Z13", "Z14")[n % 4]
    return code


def ssda903_tables(sub: Submission, year: int, shift: int, first_id: int) -> dict[str, list[list[str]]]:
    ids = local_ids(sub, first_id)
    children = {c["child_id"]: c for c in sub.rows("children")}
    t: dict[str, list[list[str]]] = {"Header": [], "Episodes": [], "UASC": [], "Missing": [], "Reviews": []}
    for c in sub.rows("children"):
        cid = ids[c["child_id"] or ""]
        dob = day_of_birth(c, shift)
        sex = SEX_2023[c["sex"] or "U"] if year <= 2024 else (c["sex"] or "")
        t["Header"].append([cid, sex, dmy(dob), c["ethnicity"] or "", "UN2" if c["uasc"] == "true" else "UN1", "", ""])
        if c["uasc"] == "true":
            duc = date(c["uasc_end_date"]) or add_years(dob, 18)
            t["UASC"].append([cid, sex, dmy(dob), dmy(duc if not c["uasc_end_date"] else add_years(duc, shift))])
        t["Reviews"].append([cid, dmy(dob), dmy(add_years(D(2024, 9, 1), shift)), "PN1"])
    n = 0
    for child, rows in by_child(sub.rows("placements")).items():
        for i, p in enumerate(sorted(rows, key=lambda r: r["start_date"] or "")):
            n += 1
            start, end = date(p["start_date"]), date(p["end_date"])
            t["Episodes"].append([
                ids[child], dmy(add_years(start, shift) if start else None), "S" if i == 0 else "P", p["legal_status"] or "",
                "N1", place_code(p["placement_type"], year, n), p["placement_provider"] or "",
                dmy(add_years(end, shift) if end else None), p["end_reason"] or "", "CARPL" if i else "", "", "", "",
            ])
    for e in sorted(sub.rows("missing_episodes"), key=lambda r: (r["child_id"] or "", r["start_date"] or "")):
        start, end = date(e["start_date"]), date(e["end_date"])
        t["Missing"].append([ids[e["child_id"] or ""], dmy(day_of_birth(children[e["child_id"]], shift)),
                             M_CODE[e["episode_type"] or "missing"], dmy(add_years(start, shift) if start else None),
                             dmy(add_years(end, shift) if end else None)])
    return t


COLUMNS = {"Header": HEADER, "Episodes": EPISODES, "UASC": UASC, "Missing": MISSING, "Reviews": REVIEWS}


def write_903_csv(folder: Path, tables: dict[str, list[list[str]]], names: dict[str, str], **kw: bool) -> None:
    for table, rows in tables.items():
        if table in names:
            write_csv(folder / names[table], COLUMNS[table], rows, **kw)


def messy_2024_25(kent: Submission) -> None:
    """Kent, 2024-25: the mess of real exports."""
    sub = subset(kent, 14, 6)
    t = ssda903_tables(sub, 2025, 0, 510000)
    folder = FIX / "ssda903" / "csv-2024-25-messy"
    shutil.rmtree(folder, ignore_errors=True)
    h = t["Header"]
    h[1][3] = h[1][3].lower()                    # lower-case ethnicity code
    h[2][1] = f" {h[2][1]} "                     # stray spaces
    h.append(["", "F", "01/02/2010", "WBRI", "UN1", "", ""])  # no CHILD: rejected
    e = t["Episodes"]
    e[0][5] = e[0][5].lower()                    # lower-case placement code
    last = e[-1]
    e.append([last[0], "", "P", "C2", "N1", "U6", "PR1", "", "", "", "", "", ""])  # no DECOM: rejected
    closed = next(r for r in e if r[7])          # an episode ending before it starts: carried over
    closed[7] = dmy(dt.datetime.strptime(closed[1], "%d/%m/%Y").date() - dt.timedelta(days=3))
    m = t["Missing"]
    m[1][2] = m[1][2].lower()                    # lower-case M/A
    m.insert(3, list(m[2]))                      # the same episode twice (carried across years)
    m.append([m[0][0], m[0][1], "M", "", ""])    # no MIS_START: rejected
    write_csv(folder / "export1.csv", MISSING, m)
    write_csv(folder / "export2.csv", HEADER, h, bom=True, crlf=True)
    write_csv(folder / "export3.csv", EPISODES, e, crlf=True)
    write_csv(folder / "export4.csv", UASC, t["UASC"], bom=True)
    write_csv(folder / "export5.csv", REVIEWS, t["Reviews"])
    write_cin(sub, local_ids(sub, 510000), "886", "kent-2024-25.xml")


def clean_csv(sub: Submission, name: str, year: int, shift: int, first: int, **kw: bool) -> None:
    folder = FIX / "ssda903" / name
    shutil.rmtree(folder, ignore_errors=True)
    t = ssda903_tables(sub, year, shift, first)
    write_903_csv(folder, t, {"Header": "header.csv", "Episodes": "episodes.csv", "UASC": "uasc.csv",
                              "Missing": "missing.csv"}, **kw)


def xml_903(sub: Submission, name: str, year: int, first: int) -> None:
    """The XML form of a return, and the CIN census of the same children (LAchildID = CHILDID)."""
    from xml.sax.saxutils import escape

    folder = FIX / "ssda903" / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    t = ssda903_tables(sub, year, 0, first)
    uasc = {r[0]: r for r in t["UASC"]}
    eps, mis = defaultdict(list), defaultdict(list)
    for r in t["Episodes"]:
        eps[r[0]].append(r)
    for r in t["Missing"]:
        mis[r[0]].append(r)
    out = ['<?xml version="1.0" encoding="utf-8"?>', "<EXPSSDA903>"]
    for h in t["Header"]:
        cid = h[0]
        out += ["  <CHILD>", "    <HEADER>", f"      <CHILDID>{escape(cid)}</CHILDID>", f"      <UPN>{h[4]}</UPN>",
                f"      <SEX>{h[1]}</SEX>", f"      <DOB>{h[2]}</DOB>", f"      <ETHNIC>{h[3]}</ETHNIC>",
                f"      <UASC>{1 if cid in uasc else 0}</UASC>", f"      <DUC>{uasc[cid][3] if cid in uasc else ''}</DUC>"]
        for m in mis[cid]:
            out += ["      <AMISSING>", f"        <MISSING>{m[2]}</MISSING>", f"        <MIS_START>{m[3]}</MIS_START>",
                    f"        <MIS_END>{m[4]}</MIS_END>", "      </AMISSING>"]
        out += ["      <MOTHER/>", "      <MC_DOB/>", "    </HEADER>"]
        for e in eps[cid]:
            out += ["    <EPISODE>", f"      <DECOM>{e[1]}</DECOM>", f"      <RNE>{e[2]}</RNE>", f"      <LS>{e[3]}</LS>",
                    f"      <CIN>{e[4]}</CIN>", f"      <PL>{e[5]}</PL>", "      <PL_POST/>", "      <HOME_POST/>",
                    "      <URN/>", f"      <PLACE_PROVIDER>{e[6]}</PLACE_PROVIDER>", f"      <DEC>{e[7]}</DEC>",
                    f"      <REC>{e[8]}</REC>", f"      <REASON_PLACE_CHANGE>{e[9]}</REASON_PLACE_CHANGE>",
                    "    </EPISODE>"]
        out.append("  </CHILD>")
    out.append("</EXPSSDA903>")
    (folder / f"SSDA903_{year - 1}{year % 100:02d}.xml").write_text("\r\n".join(out) + "\r\n", encoding="utf-8")
    write_cin(sub, local_ids(sub, first), "352", "manchester-2024-25.xml")


def write_cin(sub: Submission, ids: dict[str, str], lea: str, name: str) -> None:
    """A CIN census (2024-25) of the children of a 903 return (``ids``: their LAchildID) and one child not
    looked after: factors per assessment, ISO dates."""
    rng = random.Random(SEED)
    eps = by_child(sub.rows("missing_episodes"))
    out = ['<?xml version="1.0" encoding="utf-8"?>', "<Message>", "  <Header>",
           "    <CollectionDetails><Collection>CIN</Collection><Year>2025</Year>"
           "<ReferenceDate>2025-03-31</ReferenceDate></CollectionDetails>",
           f"    <Source><SourceLevel>L</SourceLevel><LEA>{lea}</LEA><SoftwareCode>Synthetic</SoftwareCode>"
           "<Release>1</Release><SerialNo>1</SerialNo><DateTime>2025-05-01T10:00:00</DateTime></Source>",
           "  </Header>", "  <Children>"]
    children = [*sub.rows("children"), {"child_id": None, "trafficking_concern": "none_known", "uasc": "false",
                                        "birth_year_month": "2012-06"}]
    for c in children:
        cid = ids.get(c["child_id"] or "", "999001")
        factors = []
        if c["trafficking_concern"] in ("suspected", "identified"):
            factors.append("12A")
        if c["uasc"] == "true":
            factors.append("9A")
        if c["child_id"] in eps:
            factors.append("10A")
        factors += rng.sample(["2A", "4A", "11A", "24A", "21"], 1)
        half = len(factors) // 2
        out += ["    <Child>", "      <ChildIdentifiers>", f"        <LAchildID>{cid}</LAchildID>",
                "        <UPNunknown>UN1</UPNunknown>", f"        <PersonBirthDate>{c['birth_year_month']}-15</PersonBirthDate>",
                "        <GenderCurrent>1</GenderCurrent>", "      </ChildIdentifiers>", "      <CINdetails>",
                "        <CINreferralDate>2024-05-01</CINreferralDate>", "        <PrimaryNeedCode>N1</PrimaryNeedCode>"]
        for part in (factors[:half], factors[half:]):
            out += ["        <Assessments>", "          <AssessmentActualStartDate>2024-05-02</AssessmentActualStartDate>",
                    "          <AssessmentAuthorisationDate>2024-05-20</AssessmentAuthorisationDate>",
                    "          <FactorsIdentifiedAtAssessment>"]
            out += [f"            <AssessmentFactors>{f}</AssessmentFactors>" for f in part]
            out += ["          </FactorsIdentifiedAtAssessment>", "        </Assessments>"]
        out += ["      </CINdetails>", "    </Child>"]
    out += ["  </Children>", "</Message>"]
    (FIX / "cin").mkdir(parents=True, exist_ok=True)
    (FIX / "cin" / name).write_text("\n".join(out) + "\n", encoding="utf-8")


# ---------------------------------------------------------------- Annex A

ANNEX_A_HEADERS = [
    "Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age",
    "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N))", "Does the Child have a Disability",
    "Date Started to be Looked After", "Child's Category of Need",
    "Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)",
    "Start date of current legal status", "Child's Legal Status", "Date of Latest Statutory Review",
    "Date of Last Social Work Visit", "What is the permanence plan for this child?",
    "Date of Last IRO Visit / Contact to the Child", "Date of Last Health Assessment", "Date of Last Dental Check",
    "Number of Placements in the Last 12 months", "Date Ceased to be Looked After", "Reason Ceased to be Looked After",
    "Start Date of Most Recent Placement", "Placement Type", "Placement Provider", "Placement postcode",
    "URN of Placement", "Placement Location", "LA of Placement",
    "Number of Episodes the Child has been \u2018Missing\u2019 from their Placement in the last 12 months",
    "Number of Episodes the Child has been \u2018Absent\u2019 from their Placement in the last 12 months",
    "Was the child offered a Return Interview after their last missing episode (Y/N)?",
    "Did the child accept a Return Interview after their last missing episode (Y/N)?",
    "Allocated Team", "Allocated Worker",
]
ETHNIC_ORDER = ["WBRI", "WIRI", "WOTH", "WIRT", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN", "ABAN", "AOTH",
                "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT"]
LEGAL = {"C1": "C1: ICO", "C2": "C2: Full Care Order", "V2": "V2: Single period under S20", "E1": "E1: Placement Order"}


# LA of Placement: the council's name, as Annex A workbooks give it
COUNCIL_NAMES = {c.code: c.title for c in std.load().codelist("council").codes}


def annex_a_rows(sub: Submission, as_of: dt.date) -> list[list[object]]:
    """List 8 rows computed from a submission, independently of mcds.reconcile."""
    since = add_years(as_of, -1)
    eps = by_child(sub.rows("missing_episodes"))
    links = defaultdict(set)
    for link in sub.rows("interview_episodes"):
        links[link["episode_id"]].add(link["interview_id"])
    accepted = {i["interview_id"] for i in sub.rows("return_interviews") if i["accepted"] == "true"}
    places = by_child(sub.rows("placements"))
    rows = []
    for c in sub.rows("children"):
        mine = [e for e in eps.get(c["child_id"] or "", []) if since < date(e["start_date"]) <= as_of]
        n_missing = sum(1 for e in mine if e["episode_type"] in ("missing", "not_distinguished"))
        n_away = sum(1 for e in mine if e["episode_type"] == "away")
        every = [e for e in eps.get(c["child_id"] or "", []) if date(e["start_date"]) <= as_of]
        if every:
            last = max(every, key=lambda e: (e["start_date"], e["start_time"] or ""))
            offered = "a) Yes" if links.get(last["episode_id"]) else "b) No"
            took = "a) Yes" if links.get(last["episode_id"], set()) & accepted else "b) No"
        else:
            offered = took = ""
        p = max(places.get(c["child_id"] or "", [{}]), key=lambda r: r.get("start_date") or "")
        eth = c["ethnicity"] or "NOBT"
        dob = day_of_birth(c)
        rows.append([
            c["child_id"], {"M": "a) Male", "F": "b) Female"}.get(c["sex"] or "", "c) Not stated/recorded"),
            f"{'abcdefghijklmnopqrst'[ETHNIC_ORDER.index(eth)]}) {eth}", dob, (as_of - dob).days // 365,
            "a) Yes" if c["uasc"] == "true" else "b) No", "b) No", date(p.get("start_date")), "N1", "b) No", None,
            LEGAL.get(p.get("legal_status") or "", p.get("legal_status")), None, None, None, None, None, None,
            len(places.get(c["child_id"] or "", [])), None, None, date(p.get("start_date")), p.get("placement_type"),
            p.get("placement_provider"), None, p.get("provider_urn"),
            "a) In" if p.get("in_council_area") == "true" else "b) Out", COUNCIL_NAMES.get(p.get("placed_in_council") or ""),
            n_missing, n_away, offered, took, "Children in Care Team", "Worker on file",
        ])
    return rows


def write_annex_a(path: Path, rows: list[list[object]]) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "List 1"
    wb["List 1"].append(["Child Unique ID", "Gender", "Ethnicity", "Date of Contact", "Contact Source"])
    ws = wb.create_sheet("List 8")
    ws.append(["List 8: Children in care (synthetic example, not real data)"])
    ws.append(ANNEX_A_HEADERS)
    for r in rows:
        ws.append(r)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, dt.date):
                cell.number_format = "dd/mm/yyyy"
    wb.create_sheet("List 9").append(["Child Unique ID", "Gender"])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    normalise_xlsx(path, STAMP)


def annex_a(kent: Submission) -> None:
    as_of = D(2025, 3, 31)
    rows = annex_a_rows(kent, as_of)
    write_annex_a(FIX / "annex_a" / "kent-2024-25.xlsx", rows)
    # The same list with four deliberate differences, for `mcds reconcile`.
    changed = [list(r) for r in rows]
    with_eps = [i for i, r in enumerate(changed) if r[28] or r[29]]
    changed[with_eps[0]][28] = int(changed[with_eps[0]][28]) + 1                     # one missing episode too many
    flip = next(i for i in with_eps[1:] if changed[i][30] == "a) Yes")
    changed[flip][31] = "b) No" if changed[flip][31] == "a) Yes" else "a) Yes"         # accepted differs
    del changed[with_eps[2]]                                                          # a child with episodes left out
    changed.append(["SYNTH-NOT-IN-SUBMISSION", "a) Male", "a) WBRI", D(2010, 1, 1), 15, "b) No", "b) No", None, "N1",
                    "b) No", None, "C2: Full Care Order", *[None] * 16, 0, 0, "", "", "Team", "Worker"])
    write_annex_a(FIX / "annex_a" / "kent-2024-25-differences.xlsx", changed)


# ---------------------------------------------------------------- case-management exports


def cms_interviews(sub: Submission) -> dict[str, tuple[bool, bool]]:
    """Per episode: (interview offered, accepted), as CMS exports hold them."""
    accepted = {i["interview_id"]: i["accepted"] == "true" for i in sub.rows("return_interviews")}
    out: dict[str, tuple[bool, bool]] = {}
    for link in sub.rows("interview_episodes"):
        prev = out.get(link["episode_id"] or "", (False, False))
        out[link["episode_id"] or ""] = (True, prev[1] or accepted.get(link["interview_id"], False))
    return out


def offer_dates(sub: Submission) -> dict[str, dt.date]:
    """Per episode: the date an interview after it was first offered."""
    offered = {i["interview_id"]: date(i["offered_date"]) for i in sub.rows("return_interviews") if i["offered_date"]}
    out: dict[str, dt.date] = {}
    for link in sub.rows("interview_episodes"):
        d = offered.get(link["interview_id"])
        if d and (link["episode_id"] not in out or d < out[link["episode_id"]]):
            out[link["episode_id"] or ""] = d
    return out


def placement_rows(sub: Submission, ids: dict[str, str], first: int, fmt: str) -> list[list[object]]:
    return [[first + n, ids[p["child_id"] or ""], date(p["start_date"]).strftime(fmt) if fmt else date(p["start_date"]),
             (date(p["end_date"]).strftime(fmt) if fmt else date(p["end_date"])) if p["end_date"] else None,
             p["legal_status"], p["placement_type"], p["placement_provider"], p["end_reason"]]
            for n, p in enumerate(sub.rows("placements"))]


def liquidlogic(sub: Submission) -> None:
    """Liquidlogic / SystemC HDM warehouse style: DIM_PERSON, FACT_CLA_PLACEMENT, FACT_MISSING_PERSON."""
    folder = FIX / "mapped" / "liquidlogic"
    ids = local_ids(sub, 1000100)
    stamp = "%Y-%m-%d %H:%M:%S.000"
    people = [[ids[c["child_id"] or ""], day_of_birth(c).strftime(stamp), c["sex"] or "", c["ethnicity"] or "",
               c["nationality"] or "", "Unaccompanied Asylum Seeking Child" if c["uasc"] == "true" else "",
               (date(c["uasc_end_date"]).strftime(stamp) if c["uasc_end_date"] else "")] for c in sub.rows("children")]
    write_csv(folder / "DIM_PERSON.csv", ["DIM_PERSON_ID", "BIRTH_DTTM", "GENDER_MAIN_CODE", "ETHNICITY_MAIN_CODE",
                                          "NATNL_CODE", "DIM_LOOKUP_IMMGR_STATUS_DESC", "IMMGR_END_DTTM"], people)
    places = [[f"9{p['placement_id'][1:]}", ids[p["child_id"] or ""], date(p["start_date"]).strftime(stamp),
               date(p["end_date"]).strftime(stamp) if p["end_date"] else "", p["legal_status"] or "",
               p["placement_type"] or "", p["placement_provider"] or "", p["end_reason"] or ""]
              for p in sub.rows("placements")]
    write_csv(folder / "FACT_CLA_PLACEMENT.csv", ["FACT_CLA_PLACEMENT_ID", "DIM_PERSON_ID", "START_DTTM", "END_DTTM",
                                                  "DIM_LOOKUP_LEGAL_STATUS_CODE", "DIM_LOOKUP_PLACEMENT_TYPE_CODE",
                                                  "DIM_LOOKUP_PLACEMENT_PROVIDER_CODE", "DIM_LOOKUP_CLA_END_REASON_CODE"],
              places)
    ri, offers = cms_interviews(sub), offer_dates(sub)
    yn = {True: "Yes", False: "No"}
    missing = []
    for e in sub.rows("missing_episodes"):
        start = dt.datetime.combine(date(e["start_date"]), dt.time.fromisoformat(e["start_time"] or "00:00:00"))
        end = (dt.datetime.combine(date(e["end_date"]), dt.time.fromisoformat(e["end_time"] or "00:00:00"))
               if e["end_date"] else None)
        offered, accepted = ri.get(e["episode_id"] or "", (False, False))
        when = offers.get(e["episode_id"] or "")
        missing.append([f"7{e['episode_id'][1:]}", ids[e["child_id"] or ""], start.strftime(stamp),
                        end.strftime(stamp) if end else "", {"away": "Absent"}.get(e["episode_type"] or "", "Missing"),
                        yn[offered], yn[accepted] if offered else "NA", when.strftime(stamp) if when else ""])
    write_csv(folder / "FACT_MISSING_PERSON.csv", ["FACT_MISSING_PERSON_ID", "DIM_PERSON_ID", "START_DTTM", "END_DTTM",
                                                   "MISSING_STATUS", "RETURN_INTERVIEW_OFFERED",
                                                   "RETURN_INTERVIEW_ACCEPTED", "RETURN_INTERVIEW_OFFERED_DTTM"], missing)


def mosaic(sub: Submission) -> None:
    """Mosaic style: one workbook, a People sheet and the tagged missing workflow steps with form answers."""
    from openpyxl import Workbook

    ids = local_ids(sub, 200300)
    wb = Workbook()
    ws = wb.active
    ws.title = "People"
    ws.append(["PERSON_ID", "DATE_OF_BIRTH", "GENDER", "ETHNICITY_CODE", "COUNTRY_OF_ORIGIN", "IMMIGRATION_STATUS"])
    for c in sub.rows("children"):
        ws.append([int(ids[c["child_id"] or ""]), day_of_birth(c), {"M": "Male", "F": "Female"}.get(c["sex"] or "", "Unknown"),
                   c["ethnicity"], c["nationality"], "Unaccompanied Asylum Seeking Child" if c["uasc"] == "true" else None])
        ws.cell(ws.max_row, 2).number_format = "dd/mm/yyyy"
    ws = wb.create_sheet("Placements")
    ws.append(["PLACEMENT_ID", "PERSON_ID", "START_DATE", "END_DATE", "LEGAL_STATUS", "PLACEMENT_TYPE", "PROVIDER",
               "END_REASON"])
    for r in placement_rows(sub, ids, 610000, ""):
        ws.append([r[0], int(str(r[1])), *r[2:]])
        for col in (3, 4):
            ws.cell(ws.max_row, col).number_format = "dd/mm/yyyy"
    ws = wb.create_sheet("Missing steps")
    ws.append(["WORKFLOW_STEP_ID", "PERSON_ID", "STARTED_ON", "COMPLETED_ON", "Child Absent or Missing (Document)",
               "Child Offered Return Interview", "Child Accepted Return Interview", "Date Return Interview Offered"])
    ri, offers = cms_interviews(sub), offer_dates(sub)
    for n, e in enumerate(sub.rows("missing_episodes")):
        start = dt.datetime.combine(date(e["start_date"]), dt.time.fromisoformat(e["start_time"] or "00:00:00"))
        end = (dt.datetime.combine(date(e["end_date"]), dt.time.fromisoformat(e["end_time"] or "00:00:00"))
               if e["end_date"] else None)
        offered, accepted = ri.get(e["episode_id"] or "", (False, False))
        ws.append([880000 + n, int(ids[e["child_id"] or ""]), start, end,
                   {"away": "Absent"}.get(e["episode_type"] or "", "Missing"), "Yes" if offered else "No",
                   ("Yes" if accepted else "No") if offered else None, offers.get(e["episode_id"] or "")])
        ws.cell(ws.max_row, 8).number_format = "dd/mm/yyyy"
        for col in (3, 4):
            ws.cell(ws.max_row, col).number_format = "dd/mm/yyyy hh:mm"
    folder = FIX / "mapped" / "mosaic"
    folder.mkdir(parents=True, exist_ok=True)
    wb.save(folder / "mosaic_export.xlsx")
    normalise_xlsx(folder / "mosaic_export.xlsx", STAMP)


def eclipse(sub: Submission) -> None:
    """Eclipse style: person extract and the missing-episode form answers (FORMANSWERPERSONVIEW), flattened."""
    folder = FIX / "mapped" / "eclipse"
    ids = local_ids(sub, 3004000)
    write_csv(folder / "eclipse_person.csv", ["PERSONID", "DATEOFBIRTH", "SEX", "ETHNICITY", "NATIONALITY", "ISUASC"],
              [[ids[c["child_id"] or ""], dmy(day_of_birth(c)), c["sex"] or "", c["ethnicity"] or "",
                c["nationality"] or "", "Y" if c["uasc"] == "true" else "N"] for c in sub.rows("children")],
              bom=True, crlf=True)
    write_csv(folder / "eclipse_placements.csv", ["PLACEMENTID", "PERSONID", "STARTDATE", "ENDDATE", "LEGALSTATUS",
                                                  "PLACEMENTTYPE", "PROVIDERTYPE", "ENDREASON"],
              [[str(v or "") for v in r] for r in placement_rows(sub, ids, 7700, "%d/%m/%Y")], bom=True, crlf=True)
    ri, offers = cms_interviews(sub), offer_dates(sub)
    rows = []
    for n, e in enumerate(sub.rows("missing_episodes")):
        offered, accepted = ri.get(e["episode_id"] or "", (False, False))
        seen = date(e["start_date"]).strftime("%d/%m/%Y") + (f" {e['start_time'][:5]}" if e["start_time"] else "")
        found = (date(e["end_date"]).strftime("%d/%m/%Y") + (f" {e['end_time'][:5]}" if e["end_time"] else "")
                 if e["end_date"] else "")
        rows.append([f"F{50000 + n}", ids[e["child_id"] or ""], seen,
                     {"away": "Away from placement without authorisation"}.get(e["episode_type"] or "", "Missing from care"),
                     found, "Yes" if offered else "No", ("Yes" if accepted else "No") if offered else "",
                     dmy(offers.get(e["episode_id"] or ""))])
    write_csv(folder / "eclipse_missing_form.csv", ["FORMANSWERID", "PERSONID", "DATECHILDLASTSEEN", "ABSENCETYPE",
                                                    "FOUNDREPORTDATE", "HASARETURNHOMEINTERVIEWBEENOFFERED",
                                                    "HASTHERETURNHOMEINTERVIEWBEENACCEPTED", "DATERETURNINTERVIEWOFFERED"],
              rows, bom=True, crlf=True)


def main() -> None:
    kent = read_csv_package(FIX / "valid" / "kent")
    croydon = read_csv_package(FIX / "valid" / "croydon")
    manchester = read_csv_package(FIX / "valid" / "manchester")
    messy_2024_25(kent)
    clean_csv(subset(croydon, 12, 4), "csv-2023-24", 2024, -1, 306100, crlf=True)
    xml_903(subset(manchester, 10, 4), "xml-2024-25", 2025, 352000)
    clean_csv(subset(manchester, 12, 4, skip=10), "csv-2025-26", 2026, 1, 352500)
    annex_a(kent)
    liquidlogic(kent)
    mosaic(croydon)
    eclipse(manchester)
    print("wrote fixtures/ssda903, fixtures/cin, fixtures/annex_a and fixtures/mapped")


if __name__ == "__main__":
    main()
