"""Every reference page, and the reference index.

Each supported version has its pages at ``reference/<version>/...``, addresses that never change.
The current version's pages are also at ``reference/...``, the addresses the site has always had,
so that old links and the hand-written pages lead to the current version. Search finds that copy
only: every version's permanent pages are left out of the search index, so that a search never
leads to an older version first (a reader reaches them from the version switcher)."""

from __future__ import annotations

from mcds import standard as std

from .changes import changes_page
from .cli import cli_page
from .codelists import codelist_page, codelist_users, codelists_index
from .dfe_rules import dfe_rules_page
from .downloads import downloads_page
from .guidance import guidance_list
from .indicators import indicators_page, report_schema_page
from .issues import issues_page
from .json_schema import json_schema_page
from .markdown import LINKS, REFERENCE, Links, code, header, md_table, rel, version_links
from .tables import issues_by_field, metadata_page, table_page
from .versions import label, switcher, versions_page


def reference_index(s: std.Standard, links: Links) -> str:
    page = links.page("index.md")
    tables = md_table(["Table", "What one row is"], [[f"[{t.title}]({rel(page, links.table(t.name))}) ({code(t.name)})",
                                                       t.description] for t in s.tables.values()])

    def to(name: str) -> str:
        return rel(page, links.page(name))

    return "".join([
        header(f"standard/{s.version}/"),
        f"# The standard, version {label(s.version)}\n\n{s.about['description']}\n\n",
        f"A submission is one council's data for one reporting period. It holds the [metadata]({to('metadata.md')}) "
        "and these tables:\n\n", tables,
        f"\nEvery field has a [sensitivity]({rel(page, links.codelist('sensitivity'))}) so that tools can keep "
        "identifying data out of anything published.\n\n## Also in the reference\n\n",
        f"- [What changed in {s.version}]({to('changes.md')}): what this version changed, and what to do about it.\n",
        f"- [Codelists]({to('codelists/index.md')}): the values every coded field may take.\n",
        f"- [Issue catalogue]({to('issues.md')}): every problem the validator reports and how to fix it.\n",
        f"- [Indicator catalogue]({to('indicators.md')}): the statistics and how they are computed.\n",
        f"- [JSON Schema]({to('json-schema.md')}): the JSON form of a submission, property by property.\n",
        f"- [Validation report]({to('report-schema.md')}): the JSON report and its schema.\n",
        f"- [Command-line reference]({rel(page, f'{REFERENCE}/cli.md')}): every `mcds` command.\n",
        f"- [DfE SSDA903 rules]({rel(page, f'{REFERENCE}/dfe-rules.md')}): the `mcds` code of each DfE rule.\n",
        f"- [Downloads]({rel(page, f'{REFERENCE}/downloads.md')}): the schemas, codelists, template and examples.\n",
        f"- [Versions]({rel(page, f'{REFERENCE}/versions.md')}): every version of the standard and its pages.\n",
        "\n## Guidance the standard follows\n\n", guidance_list(),
    ])


def title_first(text: str) -> str:
    """Put the page's H1 before the "generated" comment: MkDocs takes the title from a leading H1."""
    comment, _, rest = text.partition("\n\n")
    h1, _, body = rest.partition("\n")
    return f"{h1}\n\n{comment}\n{body}" if h1.startswith("# ") else text


def version_pages(s: std.Standard, links: Links) -> dict[str, str]:
    """One version's reference pages: path inside the version's folder -> text."""
    issue_index = issues_by_field(s.version)
    users = codelist_users(s)
    pages = {
        "index.md": reference_index(s, links),
        "changes.md": changes_page(s, links),
        "metadata.md": metadata_page(s, issue_index, links),
        "codelists/index.md": codelists_index(s, users, links),
        "issues.md": issues_page(s, links),
        "indicators.md": indicators_page(s, links),
        "json-schema.md": json_schema_page(s, links),
        "report-schema.md": report_schema_page(s, links),
    }
    for t in s.tables.values():
        pages[f"tables/{t.name}.md"] = table_page(s, t, issue_index, links)
    for cl in s.codelists.values():
        pages[f"codelists/{cl.name}.md"] = codelist_page(s, cl, users.get(cl.name, []), links)
    return pages


def with_switcher(text: str, version: str, links: Links, key: str, available: dict[str, set[str]]) -> str:
    """The page with its H1 first, then the "generated" comment, then the version switcher. A permanent
    page names its version in its title, so that search results and browser tabs tell versions apart."""
    h1, _, rest = title_first(text).partition("\n\n")
    comment, _, body = rest.partition("\n\n")
    if links.base != REFERENCE and "version" not in h1.lower():
        h1 += f", version {version}"
    front = "---\nsearch:\n  exclude: true\n---\n\n" if links.base != REFERENCE else ""
    return f"{front}{h1}\n\n{comment}\n\n{switcher(version, links, key, available)}{body}"


def reference_pages() -> dict[str, str]:
    """Every generated reference page: path relative to docs/ -> text."""
    built = {v: version_pages(std.load(v), version_links(v)) for v in std.supported_versions()}
    current = std.current_version()
    available = {v: set(pages) for v, pages in built.items()}
    out: dict[str, str] = {}
    for v, pages in built.items():
        for key, text in pages.items():
            out[version_links(v).page(key)] = with_switcher(text, v, version_links(v), key, available)
    for key, text in version_pages(std.load(current), LINKS).items():
        out[LINKS.page(key)] = with_switcher(text, current, LINKS, key, available)
    out[f"{REFERENCE}/cli.md"] = title_first(cli_page())
    out[f"{REFERENCE}/dfe-rules.md"] = title_first(dfe_rules_page())
    out[f"{REFERENCE}/downloads.md"] = title_first(downloads_page())
    out[f"{REFERENCE}/versions.md"] = title_first(versions_page())
    return out
