"""Benchmark the converters on a large council (not a test; synthetic data, fixed seed).

1. An SSDA903 return of a large council: 3,000 children, their placements and 20,000 missing
   episodes (CSV files), converted to a CSV package.
2. A 100,000-row case-management export (XLSX, one missing episode per row, Liquidlogic style)
   converted through a mapping.

    python benchmarks/bench_convert.py
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from mcds.convert.mapped import convert_mapped  # noqa: E402
from mcds.convert.ssda903 import convert_ssda903  # noqa: E402
from mcds.submission import write_csv_package  # noqa: E402

SEED = 903
START = dt.date(2024, 4, 1)


def dmy(d: dt.date) -> str:
    return d.strftime("%d/%m/%Y")


def make_903(folder: Path, children: int = 3000, episodes: int = 20000) -> None:
    rng = random.Random(SEED)
    header, eps, missing = [], [], []
    spans = {}
    for i in range(children):
        child = str(100000 + i)
        dob = dt.date(2007, 1, 1) + dt.timedelta(days=rng.randrange(3650))
        header.append([child, rng.choice("MF"), dmy(dob), rng.choice(["WBRI", "BAFR", "AOTH", "WOTH"]), "UN1", "", ""])
        day = START - dt.timedelta(days=rng.randrange(400))
        for n in range(rng.randint(1, 4)):
            end = day + dt.timedelta(days=rng.randint(20, 200))
            last = n == 3 or end > dt.date(2025, 3, 31)
            eps.append([child, dmy(day), "S" if n == 0 else "P", "C2", "N1", rng.choice(["U6", "U4", "K2", "K3"]),
                        "PR1", "" if last else dmy(end), "" if last else "X1", "", "", "", ""])
            spans[child] = day
            if last:
                break
            day = end
    kids = [h[0] for h in header]
    for _ in range(episodes):
        child = rng.choice(kids)
        start = START + dt.timedelta(days=rng.randrange(360))
        end = start + dt.timedelta(days=rng.randint(0, 5))
        missing.append([child, "", rng.choice("MA"), dmy(start), dmy(end) if rng.random() > 0.02 else ""])
    for name, cols, rows in (
        ("header.csv", "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB", header),
        ("episodes.csv", "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN", eps),
        ("missing.csv", "CHILD,DOB,MISSING,MIS_START,MIS_END", missing),
    ):
        with open(folder / name, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\r\n")
            w.writerow(cols.split(","))
            w.writerows(rows)


MAPPING = """
mapping_version: 1
council: {la: "886", year: 2025}
date_formats: ["%Y-%m-%d %H:%M:%S"]
sources:
  - file: export.xlsx
    tables:
      missing_episodes:
        fields:
          episode_id: FACT_MISSING_PERSON_ID
          child_id: DIM_PERSON_ID
          episode_type: {column: MISSING_STATUS, values: {Missing: missing, Absent: away}}
          start_date: START_DTTM
          start_time: START_DTTM
          end_date: END_DTTM
          end_time: END_DTTM
      return_interviews:
        when: {column: RETURN_INTERVIEW_OFFERED, equals: ["Yes"]}
        fields:
          interview_id: {template: "RI-{FACT_MISSING_PERSON_ID}"}
          child_id: DIM_PERSON_ID
          accepted: {column: RETURN_INTERVIEW_ACCEPTED, values: {"Yes": "true", "No": "false"}}
"""


def make_xlsx(path: Path, rows: int = 100_000) -> None:
    from openpyxl import Workbook

    rng = random.Random(SEED)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("FACT_MISSING_PERSON")
    ws.append(["FACT_MISSING_PERSON_ID", "DIM_PERSON_ID", "START_DTTM", "END_DTTM", "MISSING_STATUS",
               "RETURN_INTERVIEW_OFFERED", "RETURN_INTERVIEW_ACCEPTED"])
    base = dt.datetime(2024, 4, 1)
    for i in range(rows):
        start = base + dt.timedelta(minutes=rng.randrange(525_000))
        end = start + dt.timedelta(hours=rng.randint(1, 120))
        offered = rng.random() < 0.7
        ws.append([700000 + i, 1000000 + rng.randrange(20000), start, end, rng.choice(["Missing", "Absent"]),
                   "Yes" if offered else "No", rng.choice(["Yes", "No"]) if offered else None])
    wb.save(path)


def timed(label: str, fn):  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    out = fn()
    print(f"{label:<60} {time.perf_counter() - t:7.2f} s")
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        (d / "903").mkdir()
        timed("make a 903 return (3,000 children, 20,000 missing episodes)", lambda: make_903(d / "903"))
        sub, report = timed("convert ssda903", lambda: convert_ssda903([d / "903"], "886", 2025))
        timed("write the CSV package", lambda: write_csv_package(sub, d / "out903"))
        print(f"  rows: {report.to_dict()['rows']}; output {report.output}")
        timed("make a 100,000-row XLSX export", lambda: make_xlsx(d / "export.xlsx"))
        (d / "map.yaml").write_text(MAPPING, encoding="utf-8")
        sub, report = timed("convert mapped (100,000-row XLSX)", lambda: convert_mapped([d / "export.xlsx"], d / "map.yaml"))
        timed("write the CSV package", lambda: write_csv_package(sub, d / "outx"))
        print(f"  rows: {report.to_dict()['rows']}; output {report.output}")


if __name__ == "__main__":
    main()
