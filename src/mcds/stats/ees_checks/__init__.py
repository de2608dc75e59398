"""The checks of the DfE's screener of Explore Education Statistics files (eesyscreener),
reimplemented for ``mcds check-ees``, one module a family of checks as the screener groups them:

- :mod:`.registry`: the checks as data (``ees_checks.csv``: code, screener check, stage, group,
  severity, message, guidance) and the order of the stages;
- :mod:`.files`: reading the pair of files as the screener does, and the file name checks;
- :mod:`.columns`, :mod:`.meta`, :mod:`.time`, :mod:`.filters`, :mod:`.geography`,
  :mod:`.geography_lookups`, :mod:`.general`, :mod:`.harmonised`, :mod:`.api`: the stages;
- :mod:`.lookups`: the reference lists (``ees_lookups/``, made by ``scripts/make_ees_lookups.py``).

:func:`mcds.stats.check_ees.check_ees` runs them.
"""
