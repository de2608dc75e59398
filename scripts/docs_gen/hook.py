"""The MkDocs hook (mkdocs.yml ``hooks:``): adds the downloads to the site at build time, and labels
the cells of every table so that a narrow screen can show each row as a card (docs/assets/extra.css)."""

from __future__ import annotations

import html
import re
from typing import Any

from .downloads import all_downloads

# ---------------------------------------------------------------- MkDocs hook (mkdocs.yml `hooks:`)

STACKED = 3  # a table of this many columns or more is shown row by row on a narrow screen

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
