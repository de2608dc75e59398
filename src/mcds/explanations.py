"""Explanations of queries, written by the council: ``--explanations FILE``.

A small CSV or YAML file, one explanation per query::

    code,table,row,id,explanation
    uasc-under-10,children,14,,Age assessed by the Home Office; date of birth under review.
    episode-longer-than-year,missing_episodes,,E1234,Still missing abroad; police investigation open.

``row`` is the row as in the issue (header = 1); ``id`` is the record's identifier (its primary
key) and is kept when rows move between submissions. Give one of them. ``table`` is the table's
name (``missing_episodes``); one given by its sheet's title (``Missing episodes``) or by a name no
version of the standard has is refused, with the name to use. YAML: a list of mappings with the
same keys. Only queries can be explained: errors must be fixed.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mcds.errors import InputError
from mcds.issues import Issue, Severity

__all__ = ["Explanation", "Explanations", "read_explanations"]

COLUMNS = ("code", "table", "row", "id", "explanation")


@dataclass(frozen=True, slots=True)
class Explanation:
    code: str
    table: str | None
    row: int | None
    record_id: str | None
    text: str

    def matches(self, issue: Issue) -> bool:
        loc = issue.location
        if issue.code != self.code or (self.table and loc.table != self.table):
            return False
        return (self.row is not None and loc.row == self.row) or (self.record_id is not None and loc.record_id == self.record_id)


def _entry(path: Path, where: str, d: dict[str, Any]) -> Explanation:
    def text(k: str) -> str | None:
        v = d.get(k)
        return None if v is None or str(v).strip() == "" else str(v).strip()

    code, explanation = text("code"), text("explanation")
    if not code or not explanation:
        raise InputError(path, "every explanation needs a code and an explanation", where=where)
    row = text("row")
    record = text("id") or text("record_id")
    if row is None and record is None:
        raise InputError(path, "every explanation needs the row or the record's id", where=where)
    try:
        row_n = int(row) if row is not None else None
    except ValueError:
        raise InputError(path, f"row '{row}' is not a whole number", where=where) from None
    table = text("table")
    if table is not None:
        _check_table(path, where, table)
    return Explanation(code, table, row_n, record, explanation)


def _check_table(path: Path, where: str, table: str) -> None:
    """``table`` is a table's name in some version of the standard; a sheet's title or an unknown name
    is refused with the name to use (an explanation that names no table the issues name would
    otherwise match nothing, silently)."""
    from mcds import standard as std
    from mcds.forms import match_table
    from mcds.issues import printable

    versions = [std.load(v) for v in std.supported_versions()]
    if table == "metadata" or any(table in s.tables for s in versions):
        return
    name = next((n for s in versions if (n := match_table(table, s))), None)
    if name is not None:
        raise InputError(path, f"the table '{printable(table)}' is a sheet's title (or the name written another way): "
                               f"write the table's name, {name}", where=where)
    names = ", ".join(dict.fromkeys(n for s in versions for n in s.tables))
    raise InputError(path, f"'{printable(table)}' is not a table of the standard; write one of {names}", where=where)


def read_explanations(path: Path) -> list[Explanation]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, f"cannot be read ({exc})") from None
    if path.suffix.lower() in (".yaml", ".yml"):
        from mcds.safety import load_yaml

        doc = load_yaml(path, text)  # alias bombs and runaway nesting refused
        if isinstance(doc, dict):
            doc = doc.get("explanations")
        if not isinstance(doc, list) or not all(isinstance(d, dict) for d in doc):
            raise InputError(path, "expected a list of explanations, each with code, table, row or id, and explanation")
        return [_entry(path, f"entry {n}", d) for n, d in enumerate(doc, start=1)]
    reader = csv.DictReader(io.StringIO(text))
    fields = {(f or "").strip().lower() for f in reader.fieldnames or ()}
    if not {"code", "explanation"} <= fields:
        raise InputError(path, "the header must have the columns code, table, row or id, and explanation", where="row 1")
    return [_entry(path, f"row {n}", {(k or "").strip().lower(): v for k, v in r.items()})
            for n, r in enumerate(reader, start=2)]


class Explanations:
    """Explanations to attach to queries; remembers which were used."""

    def __init__(self, entries: Iterable[Explanation] = ()) -> None:
        self.entries = list(entries)
        self.used: set[int] = set()

    @classmethod
    def load(cls, source: Path | Iterable[Explanation] | None) -> Explanations:
        if source is None:
            return cls()
        if isinstance(source, str | Path):
            return cls(read_explanations(Path(source)))
        return cls(source)

    def apply(self, issues: Iterable[Issue]) -> Iterator[Issue]:
        for issue in issues:
            if issue.severity is Severity.QUERY:
                for n, e in enumerate(self.entries):
                    if e.matches(issue):
                        self.used.add(n)
                        issue = dataclasses.replace(issue, explanation=e.text)
                        break
            yield issue

    @property
    def unused(self) -> list[Explanation]:
        return [e for n, e in enumerate(self.entries) if n not in self.used]
