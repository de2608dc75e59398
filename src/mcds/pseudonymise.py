"""Replace identifiers with keyed pseudonyms: HMAC-SHA-256 under a key only the council holds.

Every identifier is replaced whole: the fields the standard marks ``direct_identifier`` (child
identifiers, a placement provider's URN), every primary and foreign key (placement, episode,
interview and referral ids), and every other field written in the standard's identifier form (the
pattern of its keys: a group of children who went missing together, an id a council's system may
have built from names or dates). Nothing of an original value survives, even when a council's
system built one identifier from another (``NHS-943-476-5919-1``, ``ABC.12345P1``).

A value has the same pseudonym wherever it appears as the same kind of identifier (a key and the
foreign keys pointing at it), so the links between tables still hold. Child identifiers, and every
key pointing at them, are the plain HMAC of the identifier, as they always were, so the same key
gives the same pseudonym for the same child in every year's submission. Every other kind of
identifier is pseudonymised in its own domain (the HMAC of ``mcds:<table>.<field>\\0`` and the value,
for the field its keys point at): the same text as a child id, a placement id or a provider's URN
gives unrelated pseudonyms. Without the key a pseudonym cannot be turned back into the identifier.
The key is never written anywhere: not to the output, not to the report, not to an error message
(see :mod:`mcds.pseudonym_keys`).
"""

from __future__ import annotations

import hashlib
import hmac
import re

from mcds import standard as std
from mcds.errors import MCDSError
from mcds.pseudonym_keys import MIN_KEY_BYTES, UnusableKeyError, check_key, key_from_env, key_from_file
from mcds.submission import TRUE, Submission

__all__ = ["MIN_KEY_BYTES", "AlreadyPseudonymisedError", "UnusableKeyError", "already_pseudonymised", "check_key",
           "child_kinds", "identifier_fields", "identifier_kinds", "key_from_env", "key_from_file", "pseudonym", "pseudonymise",
           "says_pseudonymised"]

IDENTIFIER_SENSITIVITY = "direct_identifier"
PSEUDONYM = re.compile(r"[0-9a-f]{64}")

Place = tuple[str, str]  # (table, field)


class AlreadyPseudonymisedError(MCDSError):
    """The submission is pseudonymised already: doing it again breaks year-on-year matching."""


def pseudonym(key: bytes, identifier: str, domain: bytes = b"") -> str:
    """The pseudonym of an identifier: 64 lower-case hexadecimal characters.

    ``domain`` (empty for child identifiers) separates the kinds of identifier."""
    return hmac.new(key, domain + identifier.encode("utf-8"), hashlib.sha256).hexdigest()


def _identifier_form(standard: std.Standard) -> set[str]:
    """The patterns the standard's primary keys are written in."""
    return {p for t in standard.tables.values() for k in t.primary_key if (p := t.field(k).constraints.get("pattern"))}


def identifier_kinds(standard: std.Standard) -> dict[Place, Place]:
    """Every identifier field of the standard -> its kind: the field its chain of foreign keys ends at.

    Identifier fields: those marked ``direct_identifier``, every primary-key field and every
    foreign-key field (and the fields they refer to), and every other string field written in the
    identifier form of the primary keys (their pattern)."""
    form = _identifier_form(standard)
    refs: dict[Place, Place] = {}
    places: set[Place] = set()
    for t in standard.tables.values():
        places |= {(t.name, f.name) for f in t.fields if f.sensitivity == IDENTIFIER_SENSITIVITY
                   or (f.type == "string" and f.constraints.get("pattern") in form)}
        places |= {(t.name, name) for name in t.primary_key}
        for fk in t.foreign_keys:
            target = fk["reference"]
            for own, theirs in zip(fk["fields"], target["fields"], strict=True):
                refs[(t.name, own)] = (target["resource"], theirs)
                places |= {(t.name, own), (target["resource"], theirs)}

    def end(place: Place) -> Place:
        seen = {place}
        while place in refs and refs[place] not in seen:
            place = refs[place]
            seen.add(place)
        return place

    return {place: end(place) for place in sorted(places)}


def identifier_fields(sub: Submission) -> dict[str, list[str]]:
    """Per table, the fields whose values are replaced by pseudonyms, in the table's field order."""
    kinds = identifier_kinds(sub.standard)
    return {t.name: [f.name for f in t.fields if (t.name, f.name) in kinds] for t in sub.standard.tables.values()}


def child_kinds(standard: std.Standard) -> set[Place]:
    """The kinds of identifier that identify a child: a primary key marked ``direct_identifier``
    (``children.child_id``). A provider's URN is marked so too, but it identifies a home, not a record
    of the standard: it is a kind of its own."""
    return {(t.name, k) for t in standard.tables.values() for k in t.primary_key
            if t.field(k).sensitivity == IDENTIFIER_SENSITIVITY}


def _domain(kind: Place, children: set[Place]) -> bytes:
    if kind in children:
        return b""  # child identifiers: the plain HMAC, as in every earlier release
    table, name = kind
    return f"mcds:{table}.{name}\x00".encode()


def _child_places(standard: std.Standard) -> list[Place]:
    """Every field holding a child's identifier: the child ids and every key pointing at them."""
    children = child_kinds(standard)
    return [place for place, kind in identifier_kinds(standard).items() if kind in children]


def already_pseudonymised(sub: Submission) -> str | None:
    """Why ``sub`` is pseudonymised already, or ``None``: every child identifier in it (every field
    pointing at ``children.child_id``) is a pseudonym as this toolkit makes them (64 lower-case
    hexadecimal characters). Other identifiers do not count: a provider's URN or a record id may be
    given raw beside hashed child ids, or hashed beside raw ones.

    Metadata that only says ``pseudonymised`` is not taken as proof (see :func:`says_pseudonymised`):
    the flag is set by the software that made the file, the identifiers are what would be lost."""
    values = [row[f] for t, f in _child_places(sub.standard) for row in sub.tables.get(t, []) if row.get(f)]
    if values and all(PSEUDONYM.fullmatch(v) for v in values):
        return "every child identifier in it is a pseudonym already (64 hexadecimal characters)"
    return None


def says_pseudonymised(sub: Submission) -> bool:
    """The submission's metadata says it is pseudonymised."""
    return (sub.metadata.get("pseudonymised") or "") in TRUE


def pseudonymise(sub: Submission, key: bytes, *, again: bool = False) -> Submission:
    """A copy of ``sub`` with every identifier replaced by its pseudonym; metadata says so.

    A submission that is pseudonymised already is refused (:class:`AlreadyPseudonymisedError`)
    unless ``again``: its pseudonyms would no longer match other years'."""
    if len(key) < MIN_KEY_BYTES:
        raise UnusableKeyError(f"key: the key is {len(key)} bytes; at least {MIN_KEY_BYTES} are needed")
    reason = already_pseudonymised(sub)
    if reason and not again:
        raise AlreadyPseudonymisedError(f"the submission is not pseudonymised again: {reason}. Pseudonymising "
                                        "pseudonyms breaks the matching of children from year to year")
    s = sub.standard
    kinds = identifier_kinds(s)
    children = child_kinds(s)
    domains = {kind: _domain(kind, children) for kind in set(kinds.values())}
    cache: dict[tuple[bytes, str], str] = {}

    def p(domain: bytes, value: str | None) -> str | None:
        if not value:
            return value  # a missing identifier stays missing, for validation to report
        if (domain, value) not in cache:
            cache[domain, value] = pseudonym(key, value, domain)
        return cache[domain, value]

    out = Submission({**sub.metadata, "pseudonymised": "true"})
    for name, rows in sub.tables.items():
        replace = {f: domains[kind] for (t, f), kind in kinds.items() if t == name}
        out.tables[name] = [{k: (p(replace[k], v) if k in replace else v) for k, v in row.items()} for row in rows]
    return out
