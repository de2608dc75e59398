""""Did you mean": the closest valid name or code to a wrong one (rapidfuzz)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rapidfuzz import fuzz, process

__all__ = ["closest", "closest_code", "did_you_mean"]


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
