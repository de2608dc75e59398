"""Upgrade a submission to a newer version of the standard, losing nothing: the library behind
``mcds upgrade``.

:func:`upgrade` reads a submission in any form, validates it against its own version, applies the
migration maps that lead to the target version (:mod:`mcds.migration`, applied by :mod:`.apply`),
writes the same form, validates the output against the new version and returns an
:class:`~.report.UpgradeReport`. An input with errors against its own version, or holding anything
its version does not define (which no form of the new version could hold), is refused unless
``force``; queries and warnings do not stop an upgrade. Input that cannot be read, an unknown
version, or data already at the target version or newer is an :class:`~mcds.errors.InputError`.
"""

from __future__ import annotations

from pathlib import Path

from mcds import standard as std
from mcds.errors import InputError
from mcds.migration import Migration, chain
from mcds.readers import RawSubmission, detect_form
from mcds.upgrade.apply import NOT_COLLECTED, apply, changed_in_use, in_use, usage
from mcds.upgrade.files import check_out, write_form
from mcds.upgrade.report import (
    Added,
    Changed,
    Check,
    DeprecatedCode,
    DeprecatedField,
    NotCarried,
    UpgradeReport,
    check,
)

__all__ = ["UpgradeReport", "not_carried", "upgrade"]




def _norm(text: str | None) -> str:
    return " ".join((text or "").replace("_", " ").split()).casefold()


def not_carried(raw: RawSubmission, s: std.Standard) -> list[NotCarried]:
    """What a submission as read (after validation matched its tables and columns) holds beyond
    version ``s``: tables, columns and metadata the standard does not define. A hidden sheet that is
    no table (the template's codelists) is not data."""
    out: list[NotCarried] = []
    known = {_norm(n) for f in s.metadata_fields for n in (f.name, f.title)}
    out += [NotCarried(kind="metadata", name=k) for k in raw.metadata.values if _norm(k) not in known]
    for t in raw.tables:
        if t.table is None:
            if not t.hidden:
                out.append(NotCarried(kind="table", name=t.name))
            continue
        out += [NotCarried(kind="column", name=h, table=t.table) for h, f in zip(t.header, t.fields, strict=False)
                if h is not None and f is None]
    return out


def _replacement(steps: list[Migration], deprecated: str, match: dict[str, str]) -> str | None:
    for m in steps:
        for c in m.changes:
            if c.replacement and all(getattr(c, k) == v for k, v in match.items()):
                return c.replacement
    _, _, advice = deprecated.partition("use ")
    return advice.strip().rstrip(".") or None


def _validated(path: Path) -> tuple[Check, RawSubmission]:
    from mcds.validate import load

    loaded = load(path)
    loaded.con.close()
    return check(loaded.report), loaded.raw


def upgrade(path: Path | str, out: Path | str, *, to: str | None = None, force: bool = False,
            overwrite: bool = False) -> UpgradeReport:
    """Upgrade the submission at ``path`` to version ``to`` (default: the current one), written to ``out``
    in the same form. Read the report's ``upgraded`` and ``refused``: refusals are values, not errors.
    ``overwrite``: replace an existing output file mcds did not write (see :mod:`mcds.writing`)."""
    from mcds.convert.package import read_any
    from mcds.writing import guard_output

    path, out = Path(path), Path(out)
    target = to or std.current_version()
    if target not in std.supported_versions():
        raise InputError(path, f"cannot upgrade to version {target[:20]} of the standard: this toolkit supports "
                               f"{', '.join(std.supported_versions())}")
    form = detect_form(path)
    check_out(form, out)
    guard_output(out, [path], overwrite=overwrite)  # never over the input, a folder holding it, or what mcds did not write
    sub = read_any(path)  # a version this toolkit does not know is refused here
    declared = (sub.metadata.get("standard_version") or "").strip()
    if not declared:
        raise InputError(path, "the data does not say which version of the standard it follows (metadata "
                               "standard_version): set it, then upgrade")
    if std.version_key(declared) >= std.version_key(target):
        newer = std.version_key(declared) > std.version_key(target)
        raise InputError(path, f"the data already follows version {declared} of the standard: there is nothing to "
                               f"upgrade to {target}" + (" (downgrades are not made)" if newer else ""))
    steps = chain(declared, target)
    source_check, raw = _validated(path)
    extra = not_carried(raw, std.load(declared))
    report = UpgradeReport(source=str(path), out=str(out), form=form, from_version=declared,  # type: ignore[arg-type]
                           to_version=target, steps=[declared, *(m.to for m in steps)], upgraded=False, forced=force,
                           input=source_check, rows={t: len(sub.tables.get(t, [])) for t in std.load(declared).tables}, added=[],
                           not_collected=[], deprecated_fields=[], deprecated_codes=[], changed=[], not_carried=extra)
    reasons = []
    if source_check.errors:
        reasons.append(f"the input has {source_check.errors} error(s) against version {declared}: correct them "
                       f"(`mcds validate {path}`)")
    if extra:
        reasons.append(f"the input holds {len(extra)} table(s), column(s) or metadata that version {declared} does "
                       "not define and no form of the standard can hold")
    if reasons and not force:
        report.refused = "; ".join(reasons) + ", or give --force to upgrade all the same"
        return report

    result, done = apply(sub, steps)
    write_form(result, out, form)
    report.upgraded = True
    report.added = [Added(table=a.table, field=a.field, version=step.target, derived=a.derived,
                          not_collected=a.not_collected, note=a.note) for step in done for a in step.added]
    report.not_collected = [p for p in (result.metadata.get(NOT_COLLECTED) or "").split(";") if p]
    used = usage(result)
    fields, codes = in_use(result, used)
    version_of = {id(c): m.to for m in steps for c in m.changes}
    report.changed = [Changed(kind=c.kind, table=t, field=f, codelist=c.codelist, code=c.code, rows=n,  # type: ignore[arg-type]
                              version=version_of[id(c)], note=c.note) for c, t, f, n in changed_in_use(result, used, steps)]
    report.deprecated_fields = [
        DeprecatedField(table=t, field=f, rows=n, deprecated=d,
                        replacement=_replacement(steps, d, {"kind": "field-deprecated", "table": t, "field": f}))
        for t, f, n, d in fields]
    report.deprecated_codes = [
        DeprecatedCode(table=t, field=f, codelist=cl, code=c, rows=n, deprecated=d,
                       replacement=_replacement(steps, d, {"kind": "code-deprecated", "codelist": cl, "code": c}))
        for t, f, cl, c, n, d in codes]
    report.output = _validated(out)[0]
    return report
