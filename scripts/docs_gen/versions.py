"""The versions of the standard as the site shows them: status, when each field, code and indicator
came in, the version switcher on every reference page, and the page of every version."""

from __future__ import annotations

import json
import re
from typing import Any

from mcds import standard as std

from .markdown import REFERENCE, Links, find_field, header, md_table, rel, version_links


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


def earliest(has: Any) -> str:
    """The first supported version for which ``has(standard)`` holds ('' if none)."""
    return next((v for v in std.supported_versions() if has(std.load(v))), "")


def field_added(f: std.Field) -> str:
    """The version a field was added in: its ``versionAdded``, else the first version that has it."""
    return f.version_added or earliest(lambda s: find_field(s, f.table, f.name) is not None)


def code_added(codelist: str, c: std.Code) -> str:
    """The version a code was added in: its ``version_added`` column, else the first version that has it."""
    return c.extra.get("version_added") or earliest(lambda s: codelist in s.codelists and c.code in s.codelists[codelist])


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


# ---------------------------------------------------------------- the versions page


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
