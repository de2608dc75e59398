"""mcds: the reference toolkit of the Missing from Care Data Standard."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mcds")
except PackageNotFoundError:  # running from a checkout without installing
    __version__ = "0.0.0+checkout"

from mcds.issues import Issue, Location, Report, Severity
from mcds.standard import load as load_standard
from mcds.validate import is_valid, iter_issues, validate

__all__ = ["Issue", "Location", "Report", "Severity", "__version__", "is_valid", "iter_issues", "load_standard", "validate"]
