"""The JSON form."""

from __future__ import annotations

import json
from pathlib import Path

from .blocks import json_form, tiny_package
from .common import Expect, case, package_runs

# ---------------------------------------------------------------- JSON form

JSON_RUNS = {k: v for k, v in package_runs("{case}/sub.json").items()}


def _json(d: Path, text: str) -> None:
    (d / "sub.json").write_text(text, encoding="utf-8")


@case("json-deep-nesting", "20,000 levels of nested arrays", JSON_RUNS, Expect(2, ("sub.json", "nested too deeply", "line 1")))
def _(d: Path) -> None:
    _json(d, '{"metadata": {}, "children": ' + "[" * 20_000 + "]" * 20_000 + "}")


@case("json-huge-integer", "an integer of 5,000 digits: a value to report, not a crash",
      {"validate": ["validate", "{case}/sub.json", "--format", "json"],
       "convert-package": ["convert", "package", "{case}/sub.json", "--to", "json", "--out", "{out}/out.json"]},
      {"validate": Expect(1, ('"field": "birth_year_month"',)), "convert-package": Expect(0, ("children 2",))})
def _(d: Path) -> None:
    doc = json.loads(json.dumps(json_form()))
    text = json.dumps(doc).replace('"birth_year_month": "2024-01"', '"birth_year_month": ' + "9" * 5000, 1)
    _json(d, text)


@case("json-1e400", "a number beyond a double (1e400): kept as written and reported",
      {"validate": ["validate", "{case}/sub.json", "--format", "json"]}, Expect(1, ('"value": "1e400"',)))
def _(d: Path) -> None:
    text = json.dumps(json_form()).replace('"birth_year_month": "2024-01"', '"birth_year_month": 1e400', 1)
    _json(d, text)


@case("json-duplicate-keys", "a record repeats a key: refused, not silently last-wins", JSON_RUNS,
      Expect(2, ("sub.json", "child_id", "appears twice")))
def _(d: Path) -> None:
    text = json.dumps(json_form())
    _json(d, text.replace('{"child_id": ', '{"child_id": "FIRST", "child_id": ', 1))


@case("json-nan", "NaN is not JSON", JSON_RUNS, Expect(2, ("sub.json", "NaN")))
def _(d: Path) -> None:
    _json(d, json.dumps(json_form()).replace('"birth_year_month": "2024-01"', '"birth_year_month": NaN', 1))


for _name, _text in (("array", "[1, 2, 3]"), ("string", '"children"'), ("null", "null"), ("number", "42"),
                     ("empty", ""), ("table-not-array", '{"metadata": {}, "children": "C1"}'),
                     ("rows-not-objects", '{"metadata": {}, "children": [1, 2]}')):
    case(f"json-top-{_name}", f"the JSON form is {_name.replace('-', ' ')}", JSON_RUNS, Expect(2, ("sub.json",)))(
        lambda d, text=_text: _json(d, text))


@case("json-unknown-version", "the JSON form says it follows version '1..0' of the standard: the validator reports "
      "the value, the converters refuse it", JSON_RUNS,
      {"*": Expect(2, ("sub.json", "1..0", "not support")), "validate": Expect(1, ("standard_version",)),
       "stats": Expect(1, ("is not valid",))})
def _(d: Path) -> None:
    doc = json_form()
    doc["metadata"]["standard_version"] = "1..0"  # type: ignore[index]
    _json(d, json.dumps(doc))


@case("pkg-unknown-version", "the package says it follows version 9.9 of the standard", package_runs(),
      Expect(2, ("pkg-unknown-version/package", "9.9", "not support")))
def _(d: Path) -> None:
    pkg = tiny_package(d / "package")
    desc = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    desc["mcds"]["standard_version"] = "9.9"
    (pkg / "datapackage.json").write_text(json.dumps(desc, indent=2), encoding="utf-8")


@case("json-utf16", "the JSON form saved as UTF-16", JSON_RUNS, Expect(2, ("sub.json",)))
def _(d: Path) -> None:
    (d / "sub.json").write_bytes(b"\xff\xfe" + json.dumps(json_form()).encode("utf-16-le"))
