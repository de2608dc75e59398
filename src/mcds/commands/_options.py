"""Options shared by several commands, declared once."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from mcds import standard as std


def standard_version(f=None, *, from_data: bool = True):  # type: ignore[no-untyped-def]
    """``--standard-version``; its help says the default: the data's own version (``from_data``), or the
    current version, named."""
    default = "read from the data, or the current version" if from_data else "the current version"

    def decorate(f):  # type: ignore[no-untyped-def]
        return click.option(
            "--standard-version", "standard_version", type=click.Choice(std.supported_versions()), default=None,
            help=f"Version of the standard (default: {default}, {std.current_version()}).",
        )(f)

    return decorate(f) if f is not None else decorate


OVERWRITE_HELP = ("Replace an existing output file even if mcds did not write it. Without it, only a file mcds "
                  "wrote (and nobody saved since) is replaced; a folder only when empty or a CSV package mcds "
                  "wrote, with or without it.")


def overwrite(f):  # type: ignore[no-untyped-def]
    """``--overwrite``: the one way to let a command write over an existing file (see :mod:`mcds.writing`)."""
    return click.option("--overwrite", is_flag=True, help=OVERWRITE_HELP)(f)


@contextlib.contextmanager
def suggest_conversion(*paths: Path | None) -> Iterator[None]:
    """An input that cannot be read as a submission but is one a converter reads (an SSDA903 return,
    Annex A, a folder of a system's CSV export): the error says which command converts it."""
    from mcds.errors import InputError
    from mcds.next_steps import conversion_hint

    try:
        yield
    except InputError as exc:
        for path in paths:
            failed = Path(exc.path)
            if path is not None and (failed == path or path in failed.parents) and (hint := conversion_hint(path)):
                raise InputError(exc.path, f"{exc.reason}. {hint}", where=exc.where) from None
        raise


class DeprecatedOut(click.Argument):
    """The output given as a positional argument, as commands took it before ``--out``: still read (with a
    warning), never shown in the usage or the help."""

    def get_usage_pieces(self, ctx: click.Context) -> list[str]:
        return []


def out_option(help: str):  # type: ignore[no-untyped-def]
    """``--out PATH``, the one way every command names what it writes. The output given as the last
    positional argument (``mcds template OUT.xlsx``, as before) still works, with a deprecation warning on
    stderr. Put it after the command's positional arguments."""

    def decorate(f):  # type: ignore[no-untyped-def]
        @functools.wraps(f)
        def command(*args: Any, out: Path | None, legacy_out: Path | None, **kwargs: Any) -> Any:
            ctx = click.get_current_context()
            if legacy_out is not None and out is not None:
                raise click.UsageError("give the output once, with --out (not also as an argument)", ctx=ctx)
            if out is None and legacy_out is None:
                raise click.MissingParameter(ctx=ctx, param=next(p for p in ctx.command.params if p.name == "out"))
            done = f(*args, out=out or legacy_out, **kwargs)
            if legacy_out is not None:  # said last, where it is seen, once the output is written
                click.echo(f"mcds: warning: the output as an argument is deprecated and will stop working in a later "
                           f"version; give it with --out: mcds {ctx.info_name} ... --out OUT", err=True)
            return done

        command = click.option("--out", type=click.Path(path_type=Path), default=None,
                               help=f"{help}  [required]")(command)
        return click.argument("legacy_out", cls=DeprecatedOut, required=False, type=click.Path(path_type=Path))(command)

    return decorate


def output_format(*choices: str, default: str = "text"):  # type: ignore[no-untyped-def]
    return click.option("--format", "fmt", type=click.Choice(choices), default=default, show_default=True,
                        help="Output format.")


NOT_REPEATED = "not repeated here, in case it is the key"


class KeyCommand(click.Command):
    """A command that takes a key (``--key-file``, ``--key-env``): its usage errors never repeat a value
    given on the command line, where a key pasted by mistake would be echoed to the terminal, its
    scroll-back and any log of the run. Use it as ``@click.command(name, cls=KeyCommand)``.

    click's own messages quote what was typed ("Got unexpected extra argument (<value>)", "No such
    option '--<value>'", "Invalid value for ...: '<value>' ..."): each becomes a message that says what
    is wrong without the value."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        given = list(args)
        ctx.allow_extra_args = True  # extra arguments are refused below, without repeating them
        try:
            rest = super().parse_args(ctx, args)
        except click.NoSuchOption as exc:
            hint = f"; did you mean {' or '.join(sorted(exc.possibilities))}?" if exc.possibilities else ""
            raise click.UsageError(f"no such option (the name given is {NOT_REPEATED}){hint}", ctx=exc.ctx) from None
        except click.UsageError as exc:
            raise click.UsageError(self._without_values(exc.format_message(), given, ctx), ctx=exc.ctx) from None
        ctx.allow_extra_args = False
        if rest and not ctx.resilient_parsing:
            wanted = " and ".join(p.human_readable_name for p in self.get_params(ctx)
                                  if isinstance(p, click.Argument) and p.get_usage_pieces(ctx))
            more = "an argument" if len(rest) == 1 else f"{len(rest)} arguments"
            raise click.UsageError(
                f"{more} more than {wanted or 'expected'} ({NOT_REPEATED}); give the key with "
                "--key-file FILE or --key-env VAR, never on the command line itself", ctx=ctx)
        return rest

    def _vocabulary(self, ctx: click.Context) -> set[str]:
        """The command's own words, which a message may quote: its option names and choices."""
        words = {self.name or ""}
        for p in self.get_params(ctx):
            words.update(p.opts, p.secondary_opts)
            if isinstance(p.type, click.Choice):
                words.update(str(c) for c in p.type.choices)
        return words

    def _without_values(self, message: str, given: list[str], ctx: click.Context) -> str:
        values: set[str] = set()
        for arg in given:
            values.add(arg)
            if arg.startswith("-") and "=" in arg:
                values.update(arg.split("=", 1))
            elif arg.startswith("-") and not arg.startswith("--") and len(arg) > 2:
                values.add(arg[2:])  # -kVALUE
        known = self._vocabulary(ctx)
        hidden = False
        for value in sorted(values - known, key=len, reverse=True):
            if len(value) >= 4 and value in message:  # shorter values cannot be a key (32 bytes at least)
                message = message.replace(value, "...")
                hidden = True
        return message + (f" (the value given is {NOT_REPEATED})" if hidden else "")
