"""The CIN census XML as an enrichment of a converted submission.

Per child (``LAchildID``), the assessment factors recorded at any assessment: the factors of
the standard's ``cin_factor`` codelist are recorded in ``cin_factors``; ``12A`` (trafficking)
also sets the trafficking concern to ``suspected`` where nothing stronger is known. Dates in the
CIN census are ISO; ``LEA`` is the council's 3-digit code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mcds import standard as std
from mcds.convert.base import ConversionReport
from mcds.convert.provenance import Origin, Provenance
from mcds.convert.xmlread import parse_with_lines
from mcds.errors import InputError
from mcds.submission import Submission

__all__ = ["CinChild", "enrich_with_cin", "read_cin"]

TRAFFICKING_FACTOR = "12A"


@dataclass
class CinChild:
    child_id: str | None
    line: int | None
    factors: set[str] = field(default_factory=set)
    path: str | None = None  # the element's path, e.g. Children/Child[3]

    def origin(self, file: str) -> Origin:
        columns = {"child_id": (None, "ChildIdentifiers/LAchildID"), "cin_factors": (None, "AssessmentFactors"),
                   "trafficking_concern": (None, "AssessmentFactors")}
        return Origin(file, None, self.line, self.path, self.child_id, columns)


def read_cin(path: Path) -> tuple[str | None, list[CinChild]]:
    """The council code (``LEA``) and every ``Child`` with the assessment factors recorded for it."""
    root, lines = parse_with_lines(path)
    if root.tag != "Message" or root.find("Children") is None:
        raise InputError(path, f"not a CIN census XML file (root element {root.tag}, expected Message with Children)")
    lea = root.findtext("Header/Source/LEA")
    children = []
    for n, child in enumerate(root.iter("Child"), start=1):
        ident = (child.findtext("ChildIdentifiers/LAchildID") or "").strip() or None
        factors = {(f.text or "").strip().upper() for f in child.iter("AssessmentFactors") if (f.text or "").strip()}
        children.append(CinChild(ident, lines.get(id(child)), factors, f"Children/Child[{n}]"))
    return (lea.strip() if lea else None), children


def enrich_with_cin(sub: Submission, path: Path, report: ConversionReport, *, old_la_code: str,
                    provenance: Provenance | None = None) -> None:
    """Record each looked-after child's CIN factors (and a suspected trafficking concern for 12A);
    with ``provenance``, those fields are said to come from the child's CIN element."""
    path = Path(path)
    lea, cin_children = read_cin(path)
    if lea and lea != old_la_code:
        raise InputError(path, f"the CIN census is for council {lea}, not {old_la_code}", where="Header/Source/LEA")
    wanted = std.load().codelist("cin_factor").values()
    by_id = {c["child_id"]: c for c in sub.rows("children") if c.get("child_id")}
    count = report.source("CIN census", path.name)
    merged: dict[str, set[str]] = {}
    first: dict[str, CinChild] = {}
    for c in cin_children:
        count.read += 1
        loc = c.origin(path.name).place("children", "child_id")
        if not c.child_id:
            report.reject(count, "source-row-rejected", loc, reason="the child has no LAchildID")
            continue
        if c.child_id not in by_id:
            report.reject(count, "source-row-out-of-scope", loc, value=c.child_id,
                          reason="the child is not in the SSDA903 Header (not looked after in the period)")
            continue
        merged.setdefault(c.child_id, set()).update(c.factors)
        first.setdefault(c.child_id, c)
        count.written += 1
    for child_id, factors in merged.items():
        row = by_id[child_id]
        kept = [code for code in wanted if code in factors]
        row["cin_factors"] = ";".join(kept) or None
        if TRAFFICKING_FACTOR in factors and row.get("trafficking_concern") in (None, "none_known"):
            row["trafficking_concern"] = "suspected"
    if provenance is not None:
        rows = provenance.tables.get("children", [])
        for i, row in enumerate(sub.rows("children")):
            c = first.get(row.get("child_id") or "")
            if c is not None and i < len(rows):
                o = c.origin(path.name)
                rows[i].fields.update(cin_factors=o, trafficking_concern=o)
    report.note(f"{path.name}: CIN assessment factors recorded for {len(merged)} child(ren); "
                f"{sum(1 for f in merged.values() if TRAFFICKING_FACTOR in f)} with factor {TRAFFICKING_FACTOR} "
                "(trafficking) now have a suspected trafficking concern.")
