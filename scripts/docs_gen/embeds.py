"""``<!-- mcds-embed -->`` blocks: text from the standard embedded in hand-written pages."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from mcds import catalogue as cat
from mcds import standard as std

from .changes import versions_summary
from .codelists import description, repeated_frames
from .guidance import GUIDANCE
from .indicators import indicators_rows, placeholders
from .mapping import mapping_reference
from .markdown import DOWNLOADS, LINKS, code, fenced, md_table, rel
from .tables import issues_by_field
from .toolkit import install_block

# An embed may be indented (inside a content tab or a list): its text is indented as its opening line is.
EMBED = re.compile(r"^(?P<indent>[ \t]*)<!-- mcds-embed: (?P<what>\w+) (?P<arg>\S+) -->\n(?P<body>.*?)"
                   r"^[ \t]*<!-- mcds-embed end -->\n", re.S | re.M)


def embed(what: str, arg: str, page: str) -> str:
    """Text from the standard for a hand-written page: ``codes NAME``, ``field TABLE.FIELD``, ``issue CODE``,
    ``tables all``, ``guidance KEY,KEY``, ``versions all`` and the others below."""
    s = std.load()
    if what == "codes":
        cl = s.codelist(arg)
        repeated = repeated_frames(cl)
        return (md_table(["Code", "Title", "Meaning"], [[code(c.code), c.title, description(cl, c, repeated) or c.title]
                                                        for c in cl.codes])
                + f"\nFrom the codelist [{arg}]({rel(page, LINKS.codelist(arg))}).\n")
    if what == "field":
        table, _, name = arg.partition(".")
        f = s.metadata_fields[[m.name for m in s.metadata_fields].index(name)] if table == "metadata" \
            else s.tables[table].field(name)
        return f"[{code(f.table + '.' + f.name)}]({rel(page, LINKS.field(f))}) ({f.title}): {f.description}\n"
    if what == "tables":
        return "".join(f"- **[{t.title}]({rel(page, LINKS.table(t.name))})** ({code(t.name)}): {t.description}\n"
                       for t in s.tables.values())
    if what == "rules":  # the catalogue's rules about some fields: rules TABLE.FIELD[,TABLE.FIELD...]
        wanted = {tuple(x.split(".", 1)) for x in arg.split(",")}
        index = issues_by_field(s.version)
        codes = list(dict.fromkeys(c for key in index if key in wanted for c in index[key]))
        if not codes:
            return "The validator has no rule about these fields yet.\n"
        items = cat.catalogue(s.version)
        return "The validator's rules about these fields:\n\n" + "".join(
            f"- [{code(c)}]({rel(page, LINKS.issue(c))}) ({items[c].severity.value}): {items[c].title}\n" for c in codes)
    if what == "api":  # a function of the Python API: its signature and docstring, from the code itself
        import inspect

        import mcds

        fn = getattr(mcds, arg, None)
        if fn is None:
            return f"`mcds.{arg}` is not in the toolkit yet. Its signature and description appear here once it is.\n"
        doc = inspect.cleandoc(fn.__doc__ or "")
        signature = re.sub(r"(: |-> )'([^']*)'", r"\1\2", str(inspect.signature(fn)))  # unquote annotations
        return f"{fenced(f'def {arg}{signature}: ...  # in mcds', 'python')}\n{doc}\n"
    if what == "settings":  # a JSON settings file of the standard (disclosure.json, statistics.json), as a table
        if not (s.root / arg).is_file():
            return f"This version of the standard has no `{arg}` yet.\n"
        doc = s.read_json(arg)
        items = [(k, v) for k, v in _flatten(doc) if k != "description"]
        lists = [(k, v) for k, v in items if isinstance(v, list) and v and all(isinstance(x, dict) for x in v)]
        rows = [[code(k), v if isinstance(v, str) else code(json.dumps(v, ensure_ascii=False))]
                for k, v in items if (k, v) not in lists]
        out = f"{doc.get('description', '')}\n\n" + md_table(["Setting", "Value"], rows)
        for k, v in lists:  # a list of objects (such as the filters) as a table of its own
            keys = list(dict.fromkeys(key for x in v for key in x))
            out += f"\n{code(k)}:\n\n" + md_table(keys, [[_plain(x.get(key, "")) for key in keys] for x in v])
        return out + f"\nFrom [`{arg}`]({rel(page, f'{DOWNLOADS}/{s.version}/{arg}')}).\n"
    if what == "indicators":
        return md_table(["Indicator", "What it counts", "Unit"], [
            [f"[{code(r['id'])}]({rel(page, LINKS.indicator(r['id']))})", r["definition"], r["unit"]]
            for r in indicators_rows(s)]) if indicators_rows(s) else "No indicators are defined yet.\n"
    if what == "download":  # a download of the current version: its link, and its $id for a JSON Schema
        link = f"[{arg}]({rel(page, f'{DOWNLOADS}/{s.version}/{arg}')})"
        ident = s.read_json(arg).get("$id") if arg.endswith(".json") else None
        return f"- Download: {link}\n" + (f"- Its permanent address (`$id`): {code(ident)}\n" if ident else "")
    if what == "guidance":  # links to published guidance: guidance KEY[,KEY...] (keys of docs_gen/guidance.csv)
        by_key = {g.key: g for g in GUIDANCE}
        return "Guidance: " + "; ".join(f"[{by_key[k].title}]({by_key[k].url})" for k in arg.split(",")) + ".\n"
    if what == "versions":  # every version, with a link to what it changed
        return versions_summary(page)
    if what == "mapping":  # every key of a mapping file, from its JSON Schema: mapping keys
        return mapping_reference(page)
    if what == "install":  # the commands that install the toolkit's wheel: install HOW (docs_gen/toolkit.py)
        return install_block(arg)
    if what == "issue":
        it = cat.catalogue(s.version)[arg]
        return (f"[{code(it.code)}]({rel(page, LINKS.issue(it.code))}) ({it.severity.value}, {it.title}): "
                f"{placeholders(it.guidance)}\n")
    msg = f"unknown mcds-embed kind: {what}"
    raise ValueError(msg)


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(code(x) for x in value)
    return value if isinstance(value, str) else code(json.dumps(value, ensure_ascii=False))


def _flatten(doc: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted key, value) for every scalar or list in a JSON object."""
    for k, v in doc.items():
        if isinstance(v, dict):
            yield from _flatten(v, f"{prefix}{k}.")
        else:
            yield f"{prefix}{k}", v


def fill_embeds(text: str, page: str) -> str:
    def fill(m: re.Match[str]) -> str:
        body = "".join(m["indent"] + line if line.strip() else line
                       for line in embed(m["what"], m["arg"], page).splitlines(keepends=True))
        return f"{m.group(0).split(chr(10), 1)[0]}\n{body}{m['indent']}<!-- mcds-embed end -->\n"

    return EMBED.sub(fill, text)
