"""Every reference page, and the reference index."""

from __future__ import annotations

from mcds import standard as std

from .cli import cli_page
from .codelists import codelist_page, codelist_users, codelists_index
from .downloads import downloads_page
from .indicators import indicators_page, report_schema_page
from .issues import issues_page
from .markdown import LINKS, REFERENCE, code, header, md_table, rel
from .tables import issues_by_field, metadata_page, table_page


def reference_index(s: std.Standard) -> str:
    page = f"{REFERENCE}/index.md"
    tables = md_table(["Table", "What one row is"], [[f"[{t.title}]({rel(page, LINKS.table(t.name))}) ({code(t.name)})",
                                                       t.description] for t in s.tables.values()])
    return "".join([
        header(f"standard/{s.version}/"),
        f"# The standard, version {s.version}\n\n{s.about['description']}\n\n",
        "A submission is one council's data for one reporting period. It holds the "
        f"[metadata]({rel(page, f'{REFERENCE}/metadata.md')}) and these tables:\n\n", tables,
        "\nEvery field has a [sensitivity]"
        f"({rel(page, LINKS.codelist('sensitivity'))}) so that tools can keep identifying data out of anything "
        "published.\n\n## Also in the reference\n\n",
        f"- [Codelists]({rel(page, f'{REFERENCE}/codelists/index.md')}): the values every coded field may take.\n",
        f"- [Issue catalogue]({rel(page, f'{REFERENCE}/issues.md')}): every problem the validator reports and how to fix it.\n",
        f"- [Indicator catalogue]({rel(page, f'{REFERENCE}/indicators.md')}): the statistics and how they are computed.\n",
        f"- [Validation report]({rel(page, f'{REFERENCE}/report-schema.md')}): the JSON report and its schema.\n",
        f"- [Command-line reference]({rel(page, f'{REFERENCE}/cli.md')}): every `mcds` command.\n",
        f"- [Downloads]({rel(page, f'{REFERENCE}/downloads.md')}): the schemas, codelists, template and examples.\n",
    ])


def title_first(text: str) -> str:
    """Put the page's H1 before the "generated" comment: MkDocs takes the title from a leading H1."""
    comment, _, rest = text.partition("\n\n")
    h1, _, body = rest.partition("\n")
    return f"{h1}\n\n{comment}\n{body}" if h1.startswith("# ") else text


def reference_pages() -> dict[str, str]:
    """Every generated reference page: path relative to docs/ -> text."""
    s = std.load()
    issue_index = issues_by_field(s.version)
    users = codelist_users(s)
    pages = {
        f"{REFERENCE}/index.md": reference_index(s),
        f"{REFERENCE}/metadata.md": metadata_page(s, issue_index),
        f"{REFERENCE}/codelists/index.md": codelists_index(s, users),
        f"{REFERENCE}/issues.md": issues_page(s),
        f"{REFERENCE}/indicators.md": indicators_page(s),
        f"{REFERENCE}/report-schema.md": report_schema_page(s),
        f"{REFERENCE}/cli.md": cli_page(),
        f"{REFERENCE}/downloads.md": downloads_page(),
    }
    for t in s.tables.values():
        pages[LINKS.table(t.name)] = table_page(s, t, issue_index)
    for cl in s.codelists.values():
        pages[LINKS.codelist(cl.name)] = codelist_page(s, cl, users.get(cl.name, []))
    return {path: title_first(text) for path, text in pages.items()}
