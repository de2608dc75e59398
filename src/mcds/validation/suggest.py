""""Did you mean": the closest valid name or code to a wrong one (rapidfuzz)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from rapidfuzz import fuzz, process

from mcds import standard as std

__all__ = ["closest", "closest_code", "code_suggestion", "did_you_mean"]


def _norm(text: str) -> str:
    return " ".join(text.replace("_", " ").split()).casefold()


def closest(value: str, choices: Iterable[str], *, cutoff: float = 75) -> str | None:
    """The choice closest to ``value``: an exact match ignoring case and spacing, else a fuzzy one."""
    choices = list(dict.fromkeys(choices))
    key = _norm(value)
    for c in choices:
        if _norm(c) == key:
            return c
    if not key:
        return None
    best = process.extractOne(key, {c: _norm(c) for c in choices}, scorer=fuzz.ratio, score_cutoff=cutoff)
    return best[2] if best else None


def closest_code(value: str, codes: Iterable[str], titles: Mapping[str, str] | None = None) -> str | None:
    """The valid code a wrong one most likely meant: same code in another case or with stray spaces,
    a code whose title was written instead, or a near spelling (codes of 4 characters or more)."""
    codes = list(codes)
    key = _norm(value)
    for c in codes:
        if _norm(c) == key:
            return c
    for c, title in (titles or {}).items():
        if _norm(title) == key:
            return c
    long_codes = [c for c in codes if len(c) >= 4]
    return closest(value, long_codes, cutoff=80) if len(key) >= 4 else None


def did_you_mean(suggestion: str | None) -> str:
    """The text put in a message's ``{suggestion}``."""
    return f" (did you mean '{suggestion}'?)" if suggestion else ""


def code_suggestion(s: std.Standard, f: std.Field, value: str) -> str | None:
    """The code of the field's codelist a wrong value most likely meant. Between codes that are not
    words (council numbers, SSDA903 codes) only a change of case or spacing, or a title written
    instead of its code, is suggested: never a guess between look-alike codes."""
    cl = s.codelist(f.codelist or "")
    codes = s.allowed_codes(f) or ()
    titles = {x.code: x.title for x in cl.codes} if f.codelist_key == "code" else None
    hint = closest_code(value, codes, titles)
    if hint is None or any(re.search(r"[a-z_]", x) for x in codes):
        return hint
    key = _norm(value)
    if _norm(hint) == key or (titles and _norm(titles.get(hint, "")) == key):
        return hint
    return None
