"""Converters: from the files councils already produce to the standard, and between its forms.

One module per format, each with its column mapping and code maps as data beside it
(``<format>.yaml``): :mod:`~mcds.convert.ssda903` (the DfE SSDA903 return, CSV or XML, with
:mod:`~mcds.convert.cin` for the CIN census), :mod:`~mcds.convert.annex_a` (Ofsted Annex A
List 8), :mod:`~mcds.convert.mapped` (a council's own export through a mapping file, drafted by
:mod:`~mcds.convert.mapping_init`) and :mod:`~mcds.convert.package` (the standard's own forms).
Every converter returns the submission and a :class:`~mcds.convert.base.ConversionReport`.
"""

from __future__ import annotations

from mcds.convert.base import ConversionReport, SourceCount

__all__ = ["ConversionReport", "SourceCount"]
