"""``mcds pseudonymise``: replace child identifiers with HMAC-SHA-256 pseudonyms."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("pseudonymise")
@click.argument("source", type=click.Path(path_type=Path))
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--key-file", type=click.Path(path_type=Path), help="File holding the key (at least 32 bytes).")
@click.option("--key-env", metavar="VAR", help="Environment variable holding the key (at least 32 bytes).")
def command(source: Path, out: Path, key_file: Path | None, key_env: str | None) -> None:
    """Pseudonymise the submission SOURCE into OUT (a folder, or a .json or .xlsx file).

    The same key always gives the same pseudonym, in every table and every year. Keep the key
    secret and safe: it is never written to OUT or to anything this command prints."""
    from mcds.convert.package import read_any, write_any
    from mcds.pseudonymise import identifier_fields, key_from_env, key_from_file, pseudonymise

    if (key_file is None) == (key_env is None):
        raise click.UsageError("give the key with exactly one of --key-file or --key-env")
    key = key_from_file(key_file) if key_file else key_from_env(key_env or "")
    sub = read_any(source)
    if sub.metadata.get("pseudonymised") in ("true", "True", "TRUE", "1"):
        click.echo("Note: the input says it is already pseudonymised; its pseudonyms are pseudonymised again.", err=True)
    result = pseudonymise(sub, key)
    write_any(result, out)
    fields = identifier_fields(sub)
    done = ", ".join(f"{t}.{f}" for t, names in fields.items() for f in names if sub.tables.get(t))
    click.echo(f"Pseudonymised {done or 'nothing (no rows)'}; wrote {out}")
