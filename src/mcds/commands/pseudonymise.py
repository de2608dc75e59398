"""``mcds pseudonymise``: replace child and record identifiers with HMAC-SHA-256 pseudonyms."""

from __future__ import annotations

from pathlib import Path

import click

from mcds.commands._options import KeyCommand, out_option, suggest_conversion
from mcds.commands._options import overwrite as overwrite_option


@click.command("pseudonymise", cls=KeyCommand)
@click.argument("source", type=click.Path(path_type=Path))
@out_option("Where to write the pseudonymised submission: a folder (CSV package), or a .json or .xlsx file.")
@click.option("--key-file", type=click.Path(path_type=Path), help="File holding the key (at least 32 bytes).")
@click.option("--key-env", metavar="VAR", help="Name of the environment variable holding the key (at least 32 bytes).")
@click.option("--again", is_flag=True,
              help="Pseudonymise a submission that is pseudonymised already (its pseudonyms will no longer match "
                   "earlier years').")
@overwrite_option
def command(source: Path, out: Path, key_file: Path | None, key_env: str | None, again: bool, overwrite: bool) -> None:
    """Replace every identifier of a submission with its keyed pseudonym.

    The submission SOURCE is written to --out (a folder, or a .json or .xlsx file) with every child
    identifier and every record identifier (placement, episode and interview ids) replaced whole by
    its keyed pseudonym, so nothing of the original values is left. The same key always gives the
    same pseudonym for the same child, in every table and every year. A submission that is
    pseudonymised already is refused unless --again is given. Keep the key secret and safe: it is
    never written to the output or to anything this command prints, and never give it on the
    command line itself. The output never replaces the submission, the key or a folder
    holding other files than a CSV package mcds wrote, nor a file mcds did not write (or that was
    saved since) unless --overwrite is given.

    Examples:

    \b
      mcds pseudonymise kent-2025 --out kent-2025-pseudonymised --key-file council.key
      mcds pseudonymise kent-2025.xlsx --out kent-2025-pseudonymised.xlsx --key-env MCDS_KEY
    """
    from mcds import pseudonymise as ps
    from mcds.convert.package import read_any, write_any
    from mcds.errors import InputError
    from mcds.pseudonym_keys import refuse_key_as_argument
    from mcds.submission import guard_output

    if (key_file is None) == (key_env is None):
        raise click.UsageError("give the key with exactly one of --key-file or --key-env")
    key = ps.key_from_file(key_file) if key_file else ps.key_from_env(key_env or "")
    refuse_key_as_argument(key, {"SOURCE": source, "OUT": out})
    guard_output(out, [source, key_file], overwrite=overwrite)  # never over the package or the key, nor a folder holding them
    with suggest_conversion(source):
        sub = read_any(source)
    reason = ps.already_pseudonymised(sub)
    if reason and not again:
        raise InputError(source, f"not pseudonymised again: {reason}. Pseudonymising pseudonyms breaks the matching "
                                 "of children from year to year; give --again to do it all the same")
    if reason:
        click.echo(f"Note: {reason}; its pseudonyms are pseudonymised again (--again).", err=True)
    elif ps.says_pseudonymised(sub):
        click.echo("Note: the input's metadata says it is pseudonymised already, but its child identifiers are not "
                   "mcds pseudonyms; they are pseudonymised as they are.", err=True)
    result = ps.pseudonymise(sub, key, again=again)
    write_any(result, out)
    kinds = ps.identifier_kinds(sub.standard)
    tables: dict[str, list[str]] = {}  # kind of identifier -> the tables (with rows) it was replaced in
    for t in sub.standard.tables.values():
        for f in t.field_names:
            if (t.name, f) in kinds and sub.tables.get(t.name):
                tables.setdefault(kinds[t.name, f][1], []).append(t.name)
    done = "; ".join(f"the {kind.removesuffix('_id')} ids in {', '.join(ts)}" for kind, ts in tables.items() if ts)
    click.echo(f"Pseudonymised {done or 'nothing (no rows)'}; wrote {out}")
