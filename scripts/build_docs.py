"""Generate the documentation site's reference pages, command outputs and downloads from the standard.

    python scripts/build_docs.py            # rewrite the generated pages and command outputs
    python scripts/build_docs.py --check    # exit 1 if a committed page differs from a fresh generation
    python scripts/build_docs.py --downloads DIR   # also write the downloads into DIR

Three kinds of output, all from ``standard/`` and the toolkit itself (nothing about a field, code,
rule, indicator or command is typed here):

1. **Reference pages** (``docs/reference/**``): plain Markdown, committed, so the site builds with
   any Markdown site builder. For every supported version, at ``reference/<version>/`` (addresses
   that never change): one page per table (each field's example, source and the versions it was
   added, changed or deprecated in), per codelist (each code's versions), the metadata, the issue
   and indicator catalogues, the JSON Schema as a page, the report schema, and what the version
   changed (its ``standard/CHANGELOG.md`` entry and every field and code it added, changed or
   deprecated). The current version's pages are also at ``reference/...``, where the nav and
   every older link lead. A version switcher heads each page. Beside them: the CLI (from each
   command's own ``--help``), the downloads and the list of versions.
2. **Command outputs** in hand-written pages. A block written as::

       <!-- mcds-run: mcds validate kent-2025 -->
       ```console
       (generated)
       ```
       <!-- mcds-run end -->

   is filled with the real output of the command, run in a scratch folder shared by every block of
   the page (``<!-- mcds-session: ... -->`` lines prepare it). A command the toolkit does not have
   yet, and every block after it on the page, is left as a note and filled in automatically once the
   command exists. ``<!-- mcds-run exit=1: ... -->`` documents a command that is expected to fail.
3. **Downloads** (``schema/<version>/...``, the ``$id`` of the standard's JSON Schemas): the Data
   Package descriptor, Table Schemas, JSON Schemas, codelists, catalogues, the XLSX template (once
   ``mcds template`` exists) and the example submissions, for every supported version; the toolkit's
   wheel and sdist (``toolkit/...``, built offline by ``docs_gen.toolkit``); the mappings and synthetic
   exports of the case-management guides (``examples/<system>/...``). They are not
   committed: this module is also an MkDocs hook (``hooks:`` in mkdocs.yml) that adds them to the
   site at build time, and ``--downloads DIR`` writes them for any other builder.

The hook also labels every table's cells with their column's heading (a phone shows a wide table
as cards, docs/assets/extra.css) and makes the search worker split a query with mkdocs.yml's
search separator, as it split the pages (so that a hyphenated issue code is found).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the docs_gen package beside this script

from docs_gen.downloads import fixture_version, has_command, zip_folder
from docs_gen.embeds import embed, fill_embeds
from docs_gen.hook import QUERY_SEPARATOR_FIX, label_cells, on_files, on_page_content, on_post_build
from docs_gen.indicators import indicators_rows
from docs_gen.issues import conformance_cases
from docs_gen.markdown import COLUMNS
from docs_gen.runner import Session, StaleExample, fill_runs
from docs_gen.site import generate, stale_pages, write_downloads, write_pages

__all__ = ["COLUMNS", "QUERY_SEPARATOR_FIX", "Session", "StaleExample", "conformance_cases", "embed", "fill_embeds", "fill_runs",
           "fixture_version", "generate", "has_command", "indicators_rows", "label_cells", "main", "on_files",
           "on_page_content", "on_post_build", "stale_pages",
           "write_downloads", "write_pages", "zip_folder"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python scripts/build_docs.py", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a committed generated page is out of date")
    parser.add_argument("--downloads", type=Path, metavar="DIR", help="also write the downloads into DIR")
    args = parser.parse_args(argv)
    problems: list[str] = []
    pages = generate(problems)
    for problem in problems:
        print(f"A documented command did not do what its page says (page left as it was):\n{problem}\n",
              file=sys.stderr)
    if args.check:
        stale = stale_pages(pages)
        for rel_path in stale:
            print(f"out of date: {rel_path}", file=sys.stderr)
        if stale:
            print("Run: python scripts/build_docs.py", file=sys.stderr)
        return 1 if stale or problems else 0
    for rel_path in write_pages(pages):
        print(f"wrote {rel_path}")
    if args.downloads:
        print(f"wrote {write_downloads(args.downloads)} downloads into {args.downloads}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
