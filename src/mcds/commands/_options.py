"""Options shared by several commands, declared once."""

from __future__ import annotations

import click

from mcds import standard as std


def standard_version(f):  # type: ignore[no-untyped-def]
    return click.option(
        "--standard-version", "standard_version", type=click.Choice(std.supported_versions()), default=None,
        help="Version of the standard (default: read from the data, or the current version).",
    )(f)


def output_format(*choices: str, default: str = "text"):  # type: ignore[no-untyped-def]
    return click.option("--format", "fmt", type=click.Choice(choices), default=default, show_default=True,
                        help="Output format.")
