"""Statistics of one version of the standard from submissions of an older one.

A run publishes the indicators of one version (the current one unless asked). A submission of an
older supported version is validated against its own version, then brought up to the run's version
in the typed shape, as ``mcds upgrade`` would (the migration maps of :mod:`mcds.migration`): each
new table is made empty or derived, each new field added blank or derived, and whatever the older
version could not hold is added to the submission's ``not_collected``, so the figures resting on it
are shown as ``x`` (not collected), never as 0.

Nothing is written: the submission's files are not changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import duckdb

from mcds import engine
from mcds import standard as std
from mcds.engine import quote
from mcds.errors import InputError, MCDSError
from mcds.migration import Derivation, Migration, chain
from mcds.upgrade.apply import derived_columns, uncollected_source
from mcds.validation.group import SCHEMA, SEP

__all__ = ["Older", "Raised", "bring_up", "notes", "older_packages", "raise_to"]


@dataclass
class Raised:
    """What bringing submissions from version ``source`` up to ``target`` left uncollected: ``gaps``
    for every submission, and ``derived`` (table or ``table.field``) with the derivation each is made
    by, uncollected for a submission that did not collect what the derivation reads."""

    source: str
    target: str
    gaps: list[str] = field(default_factory=list)
    derived: list[tuple[str, Migration, Derivation]] = field(default_factory=list)

    def not_collected(self, own: Iterable[str]) -> set[str]:
        """A submission's ``not_collected`` in the target version, from its own."""
        missing = set(own)
        out = missing | set(self.gaps)
        for what, m, d in self.derived:
            if uncollected_source(d, std.load(m.from_), sorted(missing)):
                out.add(what)
        return out


def _typed(f: std.Field, sql: str) -> str:
    return f"CAST({sql} AS {engine.sql_type(f)}) AS {quote(f.name)}"


def _fail(m: Migration, what: str, exc: Exception) -> MCDSError:
    return MCDSError(f"the migration map to version {m.to} cannot derive {what}: {exc}")


def _table(con: duckdb.DuckDBPyConnection, schema: str, m: Migration, t: std.Table, group: bool, raised: Raised) -> None:
    d = m.table_derivation(t.name)
    target = f"{schema}.{quote(t.name)}"
    extra = ["CAST(NULL AS INTEGER) AS _row"] + (["CAST(NULL AS INTEGER) AS _pkg"] if group else [])
    if d is None:
        cols = ", ".join([*(_typed(f, "NULL") for f in t.fields), *extra])
        con.execute(f"CREATE TABLE {target} AS SELECT {cols} WHERE FALSE")
        raised.gaps.append(t.name)
        return
    try:
        made = derived_columns(d, con.sql(d.sql).columns)
    except duckdb.Error as exc:
        raise _fail(m, t.name, exc) from None
    values = {f.name: f"d.{quote(f.name)}" if f.name in made else "NULL" for f in t.fields}
    extra = ["CAST(row_number() OVER () + 1 AS INTEGER) AS _row"]
    if group:
        # The submission a derived row belongs to is the prefix of its key to the table it is made from
        # (keys read from the older tables carry it); its own key is given the prefix, as the group does.
        key = next(fk["fields"][0] for fk in t.foreign_keys if fk["reference"].get("resource") == d.from_)
        pkg = f"split_part(d.{quote(key)}, '{SEP}', 1)"
        extra.append(f"CAST({pkg} AS INTEGER) AS _pkg")
        inherited = {k for fk in t.foreign_keys if fk["reference"].get("resource") in std.load(m.from_).tables
                     for k in fk["fields"]}
        for k in t.primary_key:
            if k in made and k not in inherited:
                values[k] = f"{pkg} || '{SEP}' || {values[k]}"
    cols = [*(_typed(f, values[f.name]) for f in t.fields), *extra]
    try:
        con.execute(f"CREATE TABLE {target} AS SELECT {', '.join(cols)} FROM ({d.sql}) AS d")
    except duckdb.Error as exc:
        raise _fail(m, t.name, exc) from None
    raised.derived.append((t.name, m, d))
    raised.gaps += [f"{t.name}.{f}" for f in t.field_names if f not in made]


def _field(con: duckdb.DuckDBPyConnection, schema: str, m: Migration, t: std.Table, f: std.Field, raised: Raised) -> None:
    target = f"{schema}.{quote(t.name)}"
    con.execute(f"ALTER TABLE {target} ADD COLUMN {quote(f.name)} {engine.sql_type(f)}")
    d = m.field_derivation(t.name, f.name)
    if d is None:
        raised.gaps.append(f"{t.name}.{f.name}")
        return
    try:
        con.execute(f"UPDATE {target} SET {quote(f.name)} = CAST(({d.sql}) AS {engine.sql_type(f)})")
    except duckdb.Error as exc:
        raise _fail(m, f"{t.name}.{f.name}", exc) from None
    raised.derived.append((f"{t.name}.{f.name}", m, d))


def bring_up(con: duckdb.DuckDBPyConnection, source: str, target: str, *, schema: str = "main",
             group: bool = False) -> Raised:
    """Bring the typed tables in ``schema`` of ``con`` from version ``source`` up to ``target``.
    ``group``: the tables hold many submissions (:mod:`mcds.validation.group`): each row has a
    ``_pkg`` and key fields are prefixed with it."""
    raised = Raised(source, target)
    for m in chain(source, target):
        old, new = std.load(m.from_), std.load(m.to)
        for t in new.tables.values():  # new tables first: derivations read the older version's tables
            if t.name not in old.tables:
                _table(con, schema, m, t, group, raised)
        for t in new.tables.values():
            if t.name in old.tables:
                for f in t.fields:
                    if f.name not in old.tables[t.name].field_names:
                        _field(con, schema, m, t, f, raised)
    return raised




def raise_to(con: duckdb.DuckDBPyConnection, path: object, source: str, version: str | None, *,
             group: bool = False) -> Raised | None:
    """Bring a submission (or a group of them) of version ``source`` up to ``version`` (the current
    one by default) in its typed shape; None when it follows that version already. A submission of a
    newer version is an :class:`~mcds.errors.InputError` naming ``path``."""
    target = version or std.current_version()
    if not source or source == target:
        return None
    if std.version_key(source) > std.version_key(target):
        raise InputError(path, f"follows version {source} of the standard, newer than the version {target} "  # type: ignore[arg-type]
                               "the statistics are computed for")
    return bring_up(con, source, target, schema=SCHEMA if group else "main", group=group)


def _lacks(need: str, gaps: frozenset[str]) -> bool:
    return need in gaps or need.split(".", 1)[0] in gaps


@dataclass(frozen=True)
class Older:
    """A package of an older version in a run, and the indicators its council is shown as ``x`` for
    because that version cannot record what they rest on."""

    council: str
    source: str
    version: str
    lacking: tuple[str, ...]

    def note(self) -> str:
        """What the command line says of it (it names the package; the report names only the council)."""
        if not self.lacking:
            return f"{self.source} follows version {self.version} of the standard; every indicator could be computed from it."
        return (f"{self.source} follows version {self.version} of the standard, which cannot record what "
                f"{len(self.lacking)} indicator(s) rest on: {self.council} is shown as x (not collected) for "
                f"{', '.join(self.lacking)}. `mcds upgrade` moves the package to the current version.")


def notes(olders: Iterable[Older]) -> list[str]:
    """What the command line says of the packages of older versions: one line for each, or one for all
    those of a version that lack the same indicators (a national run may hold a hundred)."""
    by: dict[tuple[str, tuple[str, ...]], list[Older]] = {}
    for o in olders:
        by.setdefault((o.version, o.lacking), []).append(o)
    out = []
    for (version, lacking), group in by.items():
        if len(group) == 1:
            out.append(group[0].note())
            continue
        first = f"{len(group)} packages ({group[0].source}, {group[1].source}{', ...' if len(group) > 2 else ''})"
        if not lacking:
            out.append(f"{first} follow version {version} of the standard; every indicator could be computed from them.")
        else:
            out.append(f"{first} follow version {version} of the standard, which cannot record what "
                       f"{len(lacking)} indicator(s) rest on: their councils are shown as x (not collected) for "
                       f"{', '.join(lacking)}. `mcds upgrade` moves a package to the current version.")
    return out


def older_packages(councils: Iterable, indicators: Iterable) -> list[Older]:  # type: ignore[type-arg]
    """Every package of an older version among ``councils`` (:class:`~mcds.stats.compute.Council`)."""
    inds = list(indicators)
    return [Older(c.name, source, version, tuple(i.id for i in inds if any(_lacks(n, gaps) for n in i.sources)))
            for c in councils for source, version, gaps in c.older]
