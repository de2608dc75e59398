"""The versions of the standard as the site shows them: status, when each field and code came in,
the version switcher on every reference page, the page of every version, and what each changed."""

from __future__ import annotations

import json
import re
from typing import Any

from mcds import standard as std

from .markdown import DOWNLOADS, REFERENCE, Links, code, find_field, header, md_table, rel, version_links


def versions_index() -> dict[str, Any]:
    return json.loads((std.standard_root() / "versions.json").read_text(encoding="utf-8"))


def status(version: str) -> dict[str, str]:
    """The version's entry in ``standard/versions.json`` (``status``, and ``released`` once released)."""
    return versions_index()["versions"][version]


def is_draft(version: str) -> bool:
    return status(version).get("status") == "draft"


def label(version: str) -> str:
    """``1.1 (draft)``, ``1.0 (released 2026-11-25)``, with ``current`` for the current version."""
    info = status(version)
    words = ["draft" if is_draft(version) else f"released {info.get('released', '')}".strip()]
    if version == std.current_version():
        words.insert(0, "current")
    return f"{version} ({', '.join(words)})"


# ---------------------------------------------------------------- when things came in


def _earliest(has: Any) -> str:
    """The first supported version for which ``has(standard)`` holds ('' if none)."""
    return next((v for v in std.supported_versions() if has(std.load(v))), "")


def field_added(f: std.Field) -> str:
    """The version a field was added in: its ``versionAdded``, else the first version that has it."""
    return f.version_added or _earliest(lambda s: find_field(s, f.table, f.name) is not None)


def code_added(codelist: str, c: std.Code) -> str:
    """The version a code was added in: its ``version_added`` column, else the first version that has it."""
    return c.extra.get("version_added") or _earliest(lambda s: codelist in s.codelists and c.code in s.codelists[codelist])


def field_changed(f: std.Field) -> str:
    changed = f.descriptor.get("versionChanged", "")
    return "; ".join(map(str, changed)) if isinstance(changed, list) else str(changed)


def deprecated_text(deprecated: str) -> str:
    """``1.1; use X`` as a reader's sentence: ``Deprecated in 1.1; use X.``"""
    text = deprecated.strip().rstrip(".")
    version, _, rest = text.partition(";")
    if re.fullmatch(r"\d+\.\d+", version.strip()):
        return f"Deprecated in {version.strip()}" + (f"; {rest.strip()}." if rest.strip() else ".")
    return f"Deprecated: {text}."


# ---------------------------------------------------------------- the switcher


def switcher(version: str, links: Links, key: str, available: dict[str, set[str]]) -> str:
    """The line at the top of a reference page: which version this is, and the same page in every
    other version that has it. ``key`` is the page's path inside a version's folder."""
    page = links.page(key)
    others = [f"[{label(v)}]({rel(page, version_links(v).page(key))})" for v in reversed(std.supported_versions())
              if v != version and key in available.get(v, set())]
    parts = [f"**Version {label(version)}.**"]
    if is_draft(version):
        parts.append("A draft: it may still change until it is released.")
    if links.base == REFERENCE:
        parts.append(f"This address always shows the current version; [the permanent page of {version}]"
                     f"({rel(page, version_links(version).page(key))}).")
    parts.append(("Other versions: " + " · ".join(others) + ".") if others else "No other version has this page.")
    parts.append(f"[All versions]({rel(page, f'{REFERENCE}/versions.md')}).")
    return f'<div class="mcds-version" data-search-exclude markdown>\n{" ".join(parts)}\n</div>\n\n'


# ---------------------------------------------------------------- the versions page and each version's changes


def versions_page() -> str:
    page = f"{REFERENCE}/versions.md"
    rows = []
    for v in reversed(std.supported_versions()):
        links = version_links(v)
        info = status(v)
        rows.append([f"**{v}**" + (" (current)" if v == std.current_version() else ""),
                     info.get("status", ""), info.get("released", ""),
                     f"[Reference]({rel(page, links.page('index.md'))})",
                     f"[What changed]({rel(page, links.page('changes.md'))})",
                     f"[Files]({rel(page, f'{REFERENCE}/downloads.md')}#v{v.replace('.', '-')})"])
    return "".join([
        header("standard/versions.json"),
        "# Versions of the standard\n\n",
        "Each version has its own reference pages, at addresses that name the version and never change: "
        f"`reference/VERSION/...`. The pages at `reference/...` without a version show the current version, "
        f"{std.current_version()}. `standard/VERSIONING.md` says which changes need a new version "
        f"([versioning policy]({rel(page, 'government/versioning.md')})).\n\n",
        md_table(["Version", "Status", "Released", "Reference", "Changes", "Downloads"], rows),
        "\nA draft version may still change until it is released; a released version never changes.\n",
    ])


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


def changes_page(s: std.Standard, links: Links) -> str:
    """What a version changed, for a council: the changelog's words, then every field, table and code
    it added, changed or deprecated, read from the standard itself."""
    page = links.page("changes.md")
    before = previous(s.version)
    parts = [header(f"standard/CHANGELOG.md and standard/{s.version}/"),
             f"# What changed in version {s.version}\n\n",
             "What the version changed and what a council needs to do about it, in the words of the standard's "
             f"[changelog]({rel(page, 'government/changelog.md')}); then every table, field and code it added, "
             "changed or deprecated.\n\n",
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
