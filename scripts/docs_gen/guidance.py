"""The published guidance the standard's descriptions and sources name, with its address (GOV.UK, mostly).

The standard names its sources in words (a codelist's ``source`` column, a field's ``source``, an
issue's guidance); ``guidance.csv`` beside this module says where a reader finds each document:
its title, its address, and a regular expression that recognises it in the standard's text.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Guidance:
    key: str
    title: str
    url: str
    names: re.Pattern[str]  # how the standard's text names it


def _read() -> tuple[Guidance, ...]:
    with (Path(__file__).with_name("guidance.csv")).open(encoding="utf-8", newline="") as fh:
        return tuple(Guidance(r["key"], r["title"], r["url"], re.compile(r["names"], re.I)) for r in csv.DictReader(fh))


GUIDANCE = _read()


def named_in(text: str) -> list[Guidance]:
    """The guidance a text names, in the order of ``GUIDANCE``."""
    return [g for g in GUIDANCE if g.names.search(text or "")]


def guidance_links(text: str) -> str:
    """Links to the guidance a text names ('' when it names none)."""
    return "; ".join(f"[{g.title}]({g.url})" for g in named_in(text))


def source_cell(source: str) -> str:
    """A codelist's ``source`` column, linked to the guidance it names (the first, the most specific)."""
    found = named_in(source)
    return f"[{source}]({found[0].url})" if source and found else source


def guidance_list() -> str:
    """Every guidance document, as a Markdown list."""
    return "".join(f"- [{g.title}]({g.url})\n" for g in GUIDANCE)
