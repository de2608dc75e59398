"""Generate the reference codelists of a standard version from their sources.

- ``council.csv`` (keyed by the 9-character ONS code, since one DfE code can span
  several ONS codes over time, as Buckinghamshire 825 does) from the DfE's local authority lookup (``las.csv``), as used by the
  DfE's own Explore Education Statistics screener. The source folder and commit are
  recorded in every row's ``source`` column.
- ``country.csv`` from ISO 3166-1 as packaged by ``pycountry``, plus ``XXA`` (stateless
  person, ICAO Doc 9303), recording the pycountry version.

Usage::

    python scripts/build_reference_codelists.py [--geography ../shared/data/geography] [--version 1.1]

The version is the current one by default. Run it only when the sources change, and record the
change in standard/CHANGELOG.md. A released version folder never changes: the script refuses to
change one, and new council codes go into a new minor version.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import re
from importlib.metadata import version as dist_version
from pathlib import Path

import pycountry

ROOT = Path(__file__).resolve().parent.parent
KINDS = {"Unitary Authorities": "unitary authority", "Metropolitan Districts": "metropolitan district",
         "London Boroughs": "London borough", "Counties": "county council"}


def _iso(day_month_year: str) -> str:
    return dt.datetime.strptime(day_month_year, "%d/%m/%Y").date().isoformat() if day_month_year else ""


def council_rows(geography: Path) -> list[list[str]]:
    readme = (geography / "README.md").read_text(encoding="utf-8")
    commit = re.search(r"commit ([0-9a-f]{40})", readme)
    source = "DfE dfe-published-data-qa data/las.csv" + (f" at commit {commit.group(1)}" if commit else "")
    with open(geography / "regions.csv", encoding="utf-8") as fh:
        regions = {r["region_code"]: r["region_name"] for r in csv.DictReader(fh)}
    rows = []
    with open(geography / "las.csv", encoding="utf-8-sig") as fh:
        for r in csv.DictReader(fh):
            code = r["old_la_code"].strip()
            # Combined reporting entities ("940 / 941") and pre-2009 counties without a
            # DfE code ("x") are not councils a submission can come from.
            if not re.fullmatch(r"\d{3}", code) or not re.fullmatch(r"E(06|08|09|10)\d{6}", r["new_la_code"]):
                continue
            start, end = _iso(r["date_of_operation"]), _iso(r["date_of_termination"])
            region = r["parent_geography_code"]
            name = r["la_name"].strip()
            kind = KINDS.get(r["entity_description"], r["entity_description"])
            desc = f"{name} ({kind}), DfE code {code}, in operation from {start}"
            desc += f" to {end}." if end else "."
            rows.append([r["new_la_code"], name, desc, code, region, regions.get(region, ""), start, end, source])
    rows.sort(key=lambda row: (row[3], row[6]))
    return rows


def country_rows() -> list[list[str]]:
    source = f"ISO 3166-1 via pycountry {dist_version('pycountry')}"
    rows = [[c.alpha_3, c.name, f"ISO 3166-1 alpha-3 code for {getattr(c, 'official_name', c.name)}.", source]
            for c in pycountry.countries]
    rows.append(["XXA", "Stateless person", "A child who is stateless (ICAO Doc 9303 code, not part of ISO 3166-1).",
                 "ICAO Doc 9303"])
    return sorted(rows)


def _text(header: list[str], rows: list[list[str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.write_text(_text(header, rows), encoding="utf-8", newline="")


def current_version() -> str:
    return json.loads((ROOT / "standard" / "versions.json").read_text(encoding="utf-8"))["current"]


def status(version: str) -> str:
    versions = json.loads((ROOT / "standard" / "versions.json").read_text(encoding="utf-8"))["versions"]
    return versions.get(version, {}).get("status", "draft")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--geography", type=Path, default=ROOT.parent / "shared" / "data" / "geography")
    parser.add_argument("--version", default=current_version(), help="the version to write (default: the current one)")
    args = parser.parse_args()
    out = ROOT / "standard" / args.version / "codelists"
    files = {
        "council.csv": (["code", "title", "description", "old_la_code", "region_code", "region_name", "valid_from",
                         "valid_to", "source"], council_rows(args.geography)),
        "country.csv": (["code", "title", "description", "source"], country_rows()),
    }
    if status(args.version) != "draft" and any(_text(h, r) != (out / name).read_text(encoding="utf-8")
                                               for name, (h, r) in files.items()):
        raise SystemExit(f"version {args.version} is released and never changes: regenerate into a draft version")
    for name, (header, rows) in files.items():
        write(out / name, header, rows)


if __name__ == "__main__":
    main()
