"""Generate the lookups ``mcds check-ees`` screens EES files against (``src/mcds/stats/ees_lookups``).

The source is the DfE's ``dfe-analytical-services/dfe-published-data-qa`` repository (MIT licence),
folder ``data/``: the geography lookups (ONS codes and names, Open Government Licence), the
harmonised column names, the GSS ethnicity values and the EES API data dictionary. These are the
files the DfE's screener (eesyscreener) packages as its reference data. Each lookup is read at the
commit whose content the screener version ``check-ees`` matches packaged (``SCREENER_VERSION``),
read as the screener's build reads it (readr: fields trimmed, ``""`` and ``NA`` missing), and
written with only the columns the checks use, one distinct row a line, sorted.

Usage::

    python scripts/make_ees_lookups.py [--qa-repo PATH-TO-GIT-DIR] [--check]

``PATH-TO-GIT-DIR`` is a clone (or bare git directory) of dfe-published-data-qa holding the pinned
commits. ``--check`` writes nothing and exits 1 if a committed lookup differs from its source.
Run it when the screener version changes (update the pins), and say so in the commit.
"""

from __future__ import annotations

import argparse
import csv
import io
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "mcds" / "stats" / "ees_lookups"
DEFAULT_REPO = Path("/work/.mirror/dfe-analytical-services+dfe-published-data-qa/repo")
SOURCE = "dfe-analytical-services/dfe-published-data-qa"
# eesyscreener 0.3.1 built its geography data from the repository before the legacy Bedfordshire and
# Cheshire DfE codes were added, and its data dictionary after "sex / all pupils" was added.
GEOGRAPHY = "c6ec9ec766724e151c2e5fe8b34856a4f2d3823a"
DICTIONARY = "ebcb9e7cfc604de0c66bb006d6ec533445c535eb"

# output file: (source files, their columns -> output columns, commit)
LOOKUPS: dict[str, tuple[tuple[str, ...], dict[str, str], str]] = {
    "countries.csv": (("data/country.csv",), {"country_code": "code", "country_name": "name"}, GEOGRAPHY),
    "regions.csv": (("data/regions.csv",), {"region_code": "code", "region_name": "name"}, GEOGRAPHY),
    "las.csv": (("data/las.csv",), {"old_la_code": "old_la_code", "new_la_code": "code", "la_name": "name"},
                GEOGRAPHY),
    "lads.csv": (("data/lads.csv",), {"lad_code": "code", "lad_name": "name"}, GEOGRAPHY),
    "leps.csv": (("data/leps.csv",), {"local_enterprise_partnership_code": "code",
                                     "local_enterprise_partnership_name": "name"}, GEOGRAPHY),
    "pcons.csv": (("data/pcons.csv", "data/pcon_2024_v2.csv"),
                  {"pcon_code": "code", "pcon_name": "name", "PCON24CD": "code", "PCON24NM": "name"}, GEOGRAPHY),
    "lsips.csv": (("data/lsips.csv",), {"lsip_code": "code", "lsip_name": "name"}, GEOGRAPHY),
    "english_devolved_areas.csv": (("data/english_devolved_areas.csv",), {"english_devolved_area_code": "code",
                                                                         "english_devolved_area_name": "name"},
                                   GEOGRAPHY),
    "wards.csv": (("data/ward_lad_la_pcon_hierarchy.csv",), {"ward_code": "code", "ward_name": "name"}, GEOGRAPHY),
    "universal_geog_options.csv": (("data/universal_geog_options.csv",), {"code": "code", "name": "name"}, GEOGRAPHY),
    "geographic_levels.csv": (("data/geography_matrix.csv",), {c: c for c in ("row_number", "geographic_level",
                                                                              "code_field", "name_field",
                                                                              "code_field_secondary")}, GEOGRAPHY),
    "harmonised_col_names.csv": (("data/harmonised_col_names.csv",),
                                 {"col_name_search_string": "search_string", "col_name_harmonised": "col_name"},
                                 DICTIONARY),
    "ethnicity.csv": (("data/ethnicity.csv",), {"ethnicity_major": "ethnicity_major",
                                                "ethnicity_minor": "ethnicity_minor"}, DICTIONARY),
    "data_dictionary.csv": (("data/data-dictionary.csv",),
                            {c: c for c in ("col_name", "col_type", "filter_item", "col_name_parent",
                                            "filter_item_parent")}, DICTIONARY),
}


def _show(repo: Path, commit: str, path: str) -> str:
    done = subprocess.run(["git", "--git-dir", str(repo), "show", f"{commit}:{path}"], capture_output=True, check=False)
    if done.returncode:
        raise SystemExit(f"cannot read {path} at {commit[:12]} from {repo}: {done.stderr.decode().strip()}")
    return done.stdout.decode("utf-8-sig")


def _cell(value: str) -> str:
    value = value.strip()  # readr trims fields and reads "" and NA as missing, written here as ""
    return "" if value == "NA" else value


def lookup_rows(repo: Path, name: str) -> list[list[str]]:
    paths, columns, commit = LOOKUPS[name]
    out_cols = list(dict.fromkeys(columns.values()))
    rows: set[tuple[str, ...]] = set()
    for path in paths:
        for record in csv.DictReader(io.StringIO(_show(repo, commit, path))):
            mapped = {columns[k]: _cell(v or "") for k, v in record.items() if k in columns}
            rows.add(tuple(mapped.get(c, "") for c in out_cols))
    order = (lambda row: int(row[0])) if out_cols[0] == "row_number" else None  # the levels keep their order
    return [out_cols, *sorted(rows, key=order)]


def texts(repo: Path) -> dict[str, str]:
    out = {}
    for name in LOOKUPS:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(lookup_rows(repo, name))
        out[name] = buf.getvalue()
    paths = sorted({(p, c) for ps, _, c in LOOKUPS.values() for p in ps})
    listing = "\n".join(f"- `{p}` at commit `{c}`" for p, c in paths)
    out["SOURCES.md"] = (
        "# Lookups of `mcds check-ees`\n\n"
        "Generated by `scripts/make_ees_lookups.py`; do not edit by hand.\n\n"
        f"Source: the DfE's `{SOURCE}` repository (MIT licence, copyright (c) 2020 cjrace; see LICENSE beside "
        "this file), the reference files the DfE's screener eesyscreener packages. Geography codes and names are "
        "the Office for National Statistics' (Open Government Licence v3.0).\n\n"
        f"{listing}\n")
    out["LICENSE"] = _show(repo, GEOGRAPHY, "LICENSE")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--qa-repo", type=Path, default=DEFAULT_REPO, help="git directory of dfe-published-data-qa")
    parser.add_argument("--check", action="store_true", help="compare with the committed lookups, write nothing")
    args = parser.parse_args()
    wanted = texts(args.qa_repo)
    if args.check:
        stale = [n for n, t in wanted.items() if not (OUT / n).is_file() or (OUT / n).read_text(encoding="utf-8") != t]
        if stale:
            print("out of date: " + ", ".join(stale), file=sys.stderr)
            raise SystemExit(1)
        return
    OUT.mkdir(parents=True, exist_ok=True)
    for name, text in wanted.items():
        (OUT / name).write_text(text, encoding="utf-8", newline="")


if __name__ == "__main__":
    main()
