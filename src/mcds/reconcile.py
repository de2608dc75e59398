"""Reconcile a submission with the Ofsted Annex A List 8 for the same council.

For each child, Annex A gives the number of 'Missing' and 'Absent' episodes in the 12 months
before the inspection, and whether a return interview was offered and accepted after the last
missing episode. The same figures are computed from the submission's episodes and every
difference is reported as a query: something to correct, or to explain.

- 'Missing' counts episodes of type ``missing`` and ``not_distinguished`` (the standard counts
  undistinguished episodes as missing); 'Absent' counts ``away`` (the DfE's "away from placement
  without authorisation", not the police's former "absent").
- The 12 months are those ending on ``as_of`` (by default the submission's period end): an
  episode counts when it started after the same day a year earlier and on or before ``as_of``.
- The last episode is the child's latest-starting episode on or before ``as_of``; an interview
  is "after" it when the interview_episodes table links them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

from mcds.catalogue import make_issue
from mcds.convert.annex_a import List8, parse_value, read_list8
from mcds.issues import Issue, Location, Report, column_letter
from mcds.submission import Submission

__all__ = ["reconcile"]

MISSING_TYPES = ("missing", "not_distinguished")
AWAY_TYPES = ("away",)


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _int(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(float(text))
    except ValueError:
        return None


def _refuse_without_key(sub: Submission, lst: List8, annex_a: Path) -> None:
    """A pseudonymised submission and Annex A's own identifiers: without the key no child can match, and
    every child would be reported as a difference."""
    from mcds.errors import InputError
    from mcds.pseudonymise import PSEUDONYM, already_pseudonymised

    ids = [raw for r in lst.rows if (raw := (r.cells.get("child_id") or "").strip())]
    if already_pseudonymised(sub) and ids and not all(PSEUDONYM.fullmatch(i) for i in ids):
        raise InputError(annex_a, "the submission is pseudonymised (its child identifiers are pseudonyms) and Annex A's "
                         "child identifiers are not, so no child would match: give the key the submission was "
                         "pseudonymised with, --key-file FILE or --key-env VAR, and Annex A's identifiers are "
                         "pseudonymised the same way")


def reconcile(sub: Submission, annex_a: Path, *, as_of: dt.date | None = None,
              key: bytes | None = None) -> Report:
    """Compare ``sub`` with the Annex A workbook; one issue per difference.

    With ``key``, the Annex A child identifiers are pseudonymised with it first (for a
    pseudonymised submission)."""
    not_collected = set((sub.metadata.get("not_collected") or "").split(";"))
    if "missing_episodes" in not_collected:
        from mcds.errors import InputError

        raise InputError(annex_a, "the submission does not collect missing episodes, so there is nothing to reconcile "
                         "with Annex A (was it converted from Annex A itself?)")
    lst: List8 = read_list8(annex_a)
    if key is None:
        _refuse_without_key(sub, lst, annex_a)
    as_of = as_of or _date(sub.metadata.get("period_end")) or dt.date.today()
    since = _year_before(as_of)
    interviews_known = not ({"return_interviews", "interview_episodes"} & not_collected)

    episodes: dict[str, list[dict[str, str | None]]] = defaultdict(list)
    for e in sub.tables.get("missing_episodes", []):
        d = _date(e.get("start_date"))
        if e.get("child_id") and d and d <= as_of:
            episodes[e["child_id"]].append(e)
    linked: dict[str, set[str]] = defaultdict(set)
    for link in sub.tables.get("interview_episodes", []):
        if link.get("episode_id") and link.get("interview_id"):
            linked[link["episode_id"]].add(link["interview_id"])
    interviews = {i["interview_id"]: i for i in sub.tables.get("return_interviews", []) if i.get("interview_id")}
    children = {c["child_id"]: n for n, c in enumerate(sub.tables.get("children", []), start=2) if c.get("child_id")}

    issues: list[Issue] = []
    seen: set[str] = set()

    def loc(row: int, item: str, field: str | None = None, table: str = "children") -> Location:
        col = lst.columns.get(item)
        return Location(table=table, file=lst.file, sheet=lst.sheet, row=row,
                        column=column_letter(col + 1) if col is not None else None, field=field)

    for r in lst.rows:
        raw = (r.cells.get("child_id") or "").strip()
        if not raw:
            continue
        child = raw
        if key is not None:
            from mcds.pseudonymise import pseudonym

            child = pseudonym(key, raw)
        seen.add(child)
        if child not in children:
            issues.append(make_issue("reconcile-child-unmatched", loc(r.row, "child_id", "child_id"),
                                     where=f"in row {r.row} of {lst.file}", other="the submission"))
            continue
        mine = [e for e in episodes.get(child, []) if _date(e.get("start_date")) > since]  # type: ignore[operator]
        for item, kind, types in (("missing_count", "Missing", MISSING_TYPES), ("absent_count", "Absent", AWAY_TYPES)):
            given = _int(r.cells.get(item))
            if given is None:
                continue
            have = sum(1 for e in mine if e.get("episode_type") in types)
            if given != have:
                issues.append(make_issue("reconcile-count-mismatch", loc(r.row, item, "episode_type", "missing_episodes"),
                                         value=str(given), kind=kind, as_of=as_of.isoformat(), expected=have))
        if not interviews_known:
            continue
        last = max(episodes.get(child, []), key=lambda e: (e.get("start_date") or "", e.get("start_time") or ""),
                   default=None)
        ids = linked.get(last["episode_id"] or "", set()) if last else set()
        offered = bool(ids)
        accepted = any(interviews.get(i, {}).get("accepted") in ("true", "True", "TRUE", "1") for i in ids)
        for item, question, have_it, field in (
            ("interview_offered", "return interview offered after the last missing episode", offered, "offered_date"),
            ("interview_accepted", "return interview accepted after the last missing episode", accepted, "accepted"),
        ):
            text = r.cells.get(item)
            given = parse_value("boolean", text)
            if given not in ("true", "false"):
                continue
            if last is None and given == "true":
                issues.append(make_issue("reconcile-interview-mismatch", loc(r.row, item, field, "return_interviews"),
                                         value=text, question=question, expected="the child has no missing episode"))
            elif last is not None and (given == "true") != have_it:
                issues.append(make_issue("reconcile-interview-mismatch", loc(r.row, item, field, "return_interviews"),
                                         value=text, question=question, expected="yes" if have_it else "no"))
    for child, row in children.items():
        if child not in seen and any(_date(e.get("start_date")) > since for e in episodes.get(child, [])):  # type: ignore[operator]
            issues.append(make_issue("reconcile-child-unmatched",
                                     Location(table="children", row=row, field="child_id"),
                                     where=f"in row {row} of the submission's children table, with episodes in the 12 months "
                                           f"to {as_of.isoformat()},", other=f"Annex A List 8 ({lst.file})"))
    notes = [f"Compared {len(lst.rows)} Annex A row(s) with {len(children)} children of the submission, 12 months to "
             f"{as_of.isoformat()}."]
    if key is not None and seen and children and not seen & children.keys():
        notes.append("No child of Annex A is in the submission: is the key the one the submission was pseudonymised "
                     "with?")
    return Report.from_issues(issues, sub.version, source=str(annex_a), notes=tuple(notes))
