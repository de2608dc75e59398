"""What each version changed, for a council: its entry in ``standard/CHANGELOG.md``, then every table,
field, code, indicator and issue code it added, changed or deprecated, read from the standard."""

from __future__ import annotations

import re

from mcds import catalogue as cat
from mcds import standard as std

from .indicators import indicators_rows
from .markdown import DOWNLOADS, Links, code, header, md_table, rel, version_links
from .versions import code_added, deprecated_text, field_added, field_changed, label


def changelog_section(version: str) -> str:
    """The version's entry in ``standard/CHANGELOG.md``, its headings moved down to sit under the page's."""
    text = (std.standard_root() / "CHANGELOG.md").read_text(encoding="utf-8")
    m = re.search(rf"^## {re.escape(version)}\b.*?$\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    if not m:
        return ""
    return re.sub(r"^(#{3,5}) ", lambda h: "#" * (len(h[1]) - 1) + " ", m[1].strip(), flags=re.M) + "\n"


def previous(version: str) -> str | None:
    versions = std.supported_versions()
    i = versions.index(version)
    return versions[i - 1] if i else None


def _changed_fields(s: std.Standard, links: Links, page: str) -> list[list[object]]:
    rows: list[list[object]] = []
    for f in [*s.metadata_fields, *s.all_fields()]:
        what = []
        if field_added(f) == s.version:
            what.append("added")
        if field_changed(f).startswith(s.version):
            what.append(f"changed: {field_changed(f)}")
        if f.deprecated.startswith(s.version):
            what.append(deprecated_text(f.deprecated))
        if what:
            rows.append([f"[{code(f.table + '.' + f.name)}]({rel(page, links.field(f))})", f.title, "; ".join(what)])
    return rows


def _changed_codes(s: std.Standard, links: Links, page: str) -> list[list[object]]:
    rows: list[list[object]] = []
    for name, cl in s.codelists.items():
        for c in cl.codes:
            what = (["added"] if code_added(name, c) == s.version else []) + \
                   (["changed"] if c.extra.get("version_changed", "").startswith(s.version) else []) + \
                   ([deprecated_text(c.deprecated)] if c.deprecated.startswith(s.version) else [])
            if what:
                rows.append([f"[{code(name)}]({rel(page, links.codelist(name))})", code(c.code), c.title, "; ".join(what)])
    return rows


def _changed_indicators(s: std.Standard, before: str, links: Links, page: str) -> list[list[object]]:
    earlier = {r["id"] for r in indicators_rows(std.load(before))}
    rows: list[list[object]] = []
    for r in indicators_rows(s):
        what = (["added"] if r["id"] not in earlier else []) + \
               ([deprecated_text(r["deprecated"])] if r.get("deprecated", "").startswith(s.version) else [])
        if what:
            rows.append([f"[{code(r['id'])}]({rel(page, links.indicator(r['id']))})", r["label"], "; ".join(what)])
    return rows


def _new_issues(s: std.Standard, before: str, links: Links, page: str) -> list[list[object]]:
    earlier = cat.catalogue(before)
    return [[f"[{code(c)}]({rel(page, links.issue(c))})", it.severity.value, it.title]
            for c, it in cat.catalogue(s.version).items() if c not in earlier]


def changes_page(s: std.Standard, links: Links) -> str:
    """What a version changed, for a council: the changelog's words, then every table, field, code,
    indicator and issue code it added, changed or deprecated, read from the standard itself."""
    page = links.page("changes.md")
    before = previous(s.version)
    parts = [header(f"standard/CHANGELOG.md and standard/{s.version}/"),
             f"# What changed in version {s.version}\n\n",
             "What the version changed and what a council needs to do about it, in the words of the standard's "
             f"[changelog]({rel(page, 'government/changelog.md')}); then every table, field, code, indicator and "
             "issue code it added, changed or deprecated.\n\n",
             changelog_section(s.version) or "The changelog has no entry for this version yet.\n"]
    if before is None:
        parts.append(f"\nThe first version the toolkit supports: every table, field and code in it is described in "
                     f"[its reference]({rel(page, links.page('index.md'))}).\n")
        return "".join(parts)
    new_tables = [t for t in s.tables.values() if t.name not in std.load(before).tables]
    if new_tables:
        parts.append("\n## Every table added\n\n" + "".join(
            f"- [{t.title}]({rel(page, links.table(t.name))}) ({code(t.name)}): {t.description}\n" for t in new_tables))
    fields = _changed_fields(s, links, page)
    parts.append("\n## Every field added, changed or deprecated\n\n"
                 + (md_table(["Field", "Title", "In this version"], fields) if fields else "None.\n"))
    codes = _changed_codes(s, links, page)
    parts.append("\n## Every code added, changed or deprecated\n\n"
                 + (md_table(["Codelist", "Code", "Title", "In this version"], codes) if codes else "None.\n"))
    indicators = _changed_indicators(s, before, links, page)
    parts.append("\n## Every indicator added or deprecated\n\n"
                 + (md_table(["Indicator", "Label", "In this version"], indicators) if indicators else "None.\n"))
    issues = _new_issues(s, before, links, page)
    parts.append("\n## Every new issue code\n\n"
                 + (md_table(["Code", "Severity", "Title"], issues) if issues else "None.\n"))
    if (s.root / "migration.json").is_file():
        parts.append(f"\nThe machine-readable map from {before}: "
                     f"[migration.json]({rel(page, f'{DOWNLOADS}/{s.version}/migration.json')}) "
                     "(`mcds upgrade` follows it).\n")
    return "".join(parts)


def versions_summary(page: str) -> str:
    """For a hand-written page: each version, with a link to what it changed and how much."""
    lines = []
    for v in reversed(std.supported_versions()):
        s, links = std.load(v), version_links(v)
        counts = f"{len(_changed_fields(s, links, page))} fields and {len(_changed_codes(s, links, page))} codes " \
                 "added, changed or deprecated" if previous(v) else "the first version"
        lines.append(f"- [Version {label(v)}]({rel(page, links.page('changes.md'))}): {counts}.\n")
    return "".join(lines)
