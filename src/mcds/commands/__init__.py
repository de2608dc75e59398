"""One module per ``mcds`` command, each exposing ``command`` (a click command).

Shared option decorators live in :mod:`mcds.commands._options`."""
