"""The MkDocs hook (mkdocs.yml ``hooks:``): adds the downloads to the site at build time, labels the
cells of every table so that a narrow screen can show each row as a card (docs/assets/extra.css),
and makes search read a query with mkdocs.yml's search separator, so that a hyphenated issue code is
searched for whole."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from .downloads import all_downloads

# ---------------------------------------------------------------- MkDocs hook (mkdocs.yml `hooks:`)

STACKED = 4  # a table of this many columns or more is shown row by row on a narrow screen

# Material builds the search index with the separator of mkdocs.yml (lunr.tokenizer.separator), but
# lunr's query lexer keeps the separator lunr was loaded with, spaces and hyphens: a search for
# codelist-value looked for "codelist" and "value" and never found the code, indexed whole. This line,
# appended to Material's search worker, makes the lexer read the tokenizer's separator.
SEARCH_WORKERS = "assets/javascripts/workers/search.*.js"
QUERY_LEXER = "QueryLexer.termSeparator="  # where lunr copies its separator, in the worker
QUERY_SEPARATOR_FIX = ('\n;Object.defineProperty(self.lunr.QueryLexer, "termSeparator", '
                       '{get: function () { return self.lunr.tokenizer.separator; }});\n')

TABLE = re.compile(r"<table>(.*?)</table>", re.S)
HEAD_CELL = re.compile(r"<th\b[^>]*>(.*?)</th>", re.S)
ROW = re.compile(r"<tr>(.*?)</tr>", re.S)
TAG = re.compile(r"<[^>]+>")


def on_files(files: Any, config: Any) -> Any:
    """Add the downloads to the site at build time, without writing into docs/."""
    from mkdocs.structure.files import File

    for rel_path, data in all_downloads().items():
        files.append(File.generated(config, rel_path, content=data))
    return files


def label_cells(body: str) -> str:
    """A Markdown table (what is inside its ``<table>``) with each body cell labelled by its column's
    heading (``data-label``) and the table roles made explicit, so that a table shown as cards on a
    phone still reads as a table."""
    heads = [html.escape(html.unescape(TAG.sub("", h)).strip(), quote=True) for h in HEAD_CELL.findall(body)]

    def row(m: re.Match[str]) -> str:
        cells = iter(heads)
        inner = re.sub(r"<td\b", lambda _: f'<td role="cell" data-label="{next(cells, "")}"', m.group(1))
        inner = re.sub(r"<th\b", '<th role="columnheader"', inner)
        return f'<tr role="row">{inner}</tr>'

    body = ROW.sub(row, body)
    body = re.sub(r"<(thead|tbody)>", r'<\1 role="rowgroup">', body)
    stacked = ' data-mcds-stack=""' if len(heads) >= STACKED else ""
    return f'<table role="table"{stacked}>{body}</table>'


def on_page_content(html_text: str, page: Any, config: Any, files: Any) -> str:
    return TABLE.sub(lambda m: label_cells(m.group(1)), html_text)


def on_post_build(config: Any) -> None:
    """Make the search worker split a query as it split the pages (``QUERY_SEPARATOR_FIX``)."""
    workers = [p for p in sorted(Path(config["site_dir"]).glob(SEARCH_WORKERS)) if QUERY_LEXER in p.read_text("utf-8")]
    if not workers:
        msg = f"no search worker with lunr's query lexer in {config['site_dir']}/{SEARCH_WORKERS}: check the search fix"
        raise RuntimeError(msg)
    for worker in workers:
        text = worker.read_text(encoding="utf-8")
        if QUERY_SEPARATOR_FIX not in text:
            worker.write_text(text + QUERY_SEPARATOR_FIX, encoding="utf-8")
