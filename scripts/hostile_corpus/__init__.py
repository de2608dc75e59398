"""The hostile corpus behind scripts/make_hostile_corpus.py, one module per kind of input.

``common`` holds the paths, the commands each kind of input goes through and the case registry;
``blocks`` the building blocks. Importing the package registers every case, in this order (the
order of ``tests/hostile/cases.json``).
"""

from . import common, packages, xlsx_inputs, xml_inputs, csv_inputs, json_inputs, exports  # noqa: I001 (registration order)

__all__ = ["common", "csv_inputs", "exports", "json_inputs", "packages", "xlsx_inputs", "xml_inputs"]
