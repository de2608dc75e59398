"""Data Package descriptors whose paths leave the package, and zipped packages."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from mcds import standard as std

from .blocks import lie_about_size, outside_file, package_members, set_resource_path, tiny_package, write_zip
from .common import PACKAGE, Expect, case, package_runs

# ---------------------------------------------------------------- Data Package descriptors: paths that leave the package

REFUSED_PATH = Expect(2, ("datapackage.json", "points outside the package"), ("SECRET_OUTSIDE",))


@case("pkg-path-dotdot", "a resource path climbs out of the package with ../", package_runs(), REFUSED_PATH)
def _(d: Path) -> None:
    outside_file(d)
    set_resource_path(tiny_package(d / "package"), "children", "../outside/children.csv")


@case("pkg-path-dotdot-inner", "a resource path climbs out through a subfolder (data/../../)", package_runs(), REFUSED_PATH)
def _(d: Path) -> None:
    outside_file(d)
    set_resource_path(tiny_package(d / "package"), "children", "data/../../outside/children.csv")


@case("pkg-path-absolute", "a resource path is absolute (/etc/passwd)", package_runs(), REFUSED_PATH)
def _(d: Path) -> None:
    set_resource_path(tiny_package(d / "package"), "children", "/etc/passwd")


@case("pkg-path-backslash", "a Windows path climbing out (..\\outside\\children.csv)", package_runs(), REFUSED_PATH)
def _(d: Path) -> None:
    outside_file(d)
    set_resource_path(tiny_package(d / "package"), "children", "..\\outside\\children.csv")


@case("pkg-path-http", "a resource path is an https URL: nothing is fetched", package_runs(), REFUSED_PATH)
def _(d: Path) -> None:
    set_resource_path(tiny_package(d / "package"), "children", "https://example.org/children.csv")


@case("pkg-path-file-url", "a resource path is a file:// URL", package_runs(), REFUSED_PATH)
def _(d: Path) -> None:
    set_resource_path(tiny_package(d / "package"), "children", "file:///etc/passwd")


@case("pkg-path-list", "a resource split over several files (one is outside)", package_runs(),
      Expect(2, ("datapackage.json", "several files")))
def _(d: Path) -> None:
    set_resource_path(tiny_package(d / "package"), "children", ["children.csv", "../outside/children.csv"])


@case("pkg-symlink-out", "children.csv is a symbolic link to a file outside the package", package_runs(), REFUSED_PATH,
      generated=True)
def _(d: Path) -> None:
    target = outside_file(d)
    pkg = tiny_package(d / "package")
    (pkg / "children.csv").unlink()
    (pkg / "children.csv").symlink_to(target)


@case("pkg-descriptor-duplicate-key", "datapackage.json repeats a key (which value is meant?)", package_runs(),
      Expect(2, ("datapackage.json", "appears twice")))
def _(d: Path) -> None:
    pkg = tiny_package(d / "package")
    text = (pkg / "datapackage.json").read_text(encoding="utf-8")
    (pkg / "datapackage.json").write_text(text.replace('"mcds": {', '"mcds": {"old_la_code": "999",', 1),
                                          encoding="utf-8")


@case("pkg-descriptor-array", "datapackage.json is an array", package_runs(),
      Expect(2, ("datapackage.json", "must be a JSON object")))
def _(d: Path) -> None:
    pkg = tiny_package(d / "package")
    (pkg / "datapackage.json").write_text("[]", encoding="utf-8")


@case("pkg-descriptor-deep", "datapackage.json nested 20,000 levels deep", package_runs(),
      Expect(2, ("datapackage.json", "nested too deeply")))
def _(d: Path) -> None:
    pkg = tiny_package(d / "package")
    (pkg / "datapackage.json").write_text('{"x": ' + "[" * 20_000 + "]" * 20_000 + "}", encoding="utf-8")


@case("pkg-descriptor-not-json", "datapackage.json is not JSON", package_runs(),
      Expect(2, ("datapackage.json", "not valid JSON", "line 1")))
def _(d: Path) -> None:
    pkg = tiny_package(d / "package")
    (pkg / "datapackage.json").write_text("{'resources': nope}", encoding="utf-8")


# ---------------------------------------------------------------- zipped packages

ZIP_RUNS = {k: v for k, v in package_runs("{case}/package.zip").items() if k != "pseudonymise"}


@case("zip-slip", "a zipped package with a member named ../evil.csv", ZIP_RUNS,
      Expect(2, ("package.zip", "outside its folder")))
def _(d: Path) -> None:
    members = package_members(tiny_package(d / "src"))
    members["../evil.csv"] = b"child_id\nX\n"
    write_zip(d / "package.zip", members)
    shutil.rmtree(d / "src")


@case("zip-absolute-member", "a zipped package with a member named /tmp/evil.csv", ZIP_RUNS,
      Expect(2, ("package.zip", "outside its folder")))
def _(d: Path) -> None:
    members = package_members(tiny_package(d / "src"))
    members["/tmp/evil.csv"] = b"child_id\nX\n"
    write_zip(d / "package.zip", members)
    shutil.rmtree(d / "src")


@case("zip-symlink-member", "a zipped package whose children.csv is a symbolic link to /etc/passwd", ZIP_RUNS,
      Expect(2, ("package.zip", "symbolic link")))
def _(d: Path) -> None:
    members = package_members(tiny_package(d / "src"))
    members["children.csv"] = b"/etc/passwd"
    write_zip(d / "package.zip", members, symlinks=("children.csv",))
    shutil.rmtree(d / "src")


@case("zip-descriptor-escapes", "a zipped package whose descriptor points at ../../etc/passwd", ZIP_RUNS,
      Expect(2, ("datapackage.json", "points outside the package")))
def _(d: Path) -> None:
    pkg = tiny_package(d / "src")
    set_resource_path(pkg, "children", "../../../../etc/passwd")
    write_zip(d / "package.zip", package_members(pkg))
    shutil.rmtree(d / "src")


@case("zip-bomb", "a zipped package with a 50 MB member compressed 1,000 times: refused before decompressing",
      ZIP_RUNS, Expect(2, ("package.zip", "ZIP bomb")), seconds=20)
def _(d: Path) -> None:
    members = package_members(tiny_package(d / "src"))
    members["children.csv"] = members["children.csv"] + b"\n" * 50_000_000
    write_zip(d / "package.zip", members)
    shutil.rmtree(d / "src")


@case("zip-lying-size", "a zipped package whose member declares 100 bytes and holds 5 MB", ZIP_RUNS,
      Expect(2, ("package.zip", "damaged")))
def _(d: Path) -> None:
    members = package_members(tiny_package(d / "src"))
    members["children.csv"] = members["children.csv"] + b"\n" * 5_000_000
    write_zip(d / "package.zip", members)
    lie_about_size(d / "package.zip", "children.csv", 100)
    shutil.rmtree(d / "src")


@case("zip-damaged", "a .zip file cut short", ZIP_RUNS, Expect(2, ("package.zip",)))
def _(d: Path) -> None:
    write_zip(d / "package.zip", package_members(tiny_package(d / "src")))
    data = (d / "package.zip").read_bytes()
    (d / "package.zip").write_bytes(data[: len(data) // 2])
    shutil.rmtree(d / "src")


@case("zip-file-folder-clash", "a zipped package holding children.csv as a file and as a folder (children.csv/x.csv)",
      ZIP_RUNS, Expect(2, ("package.zip", "children.csv/x.csv", "cannot both be extracted")))
def _(d: Path) -> None:
    members = package_members(tiny_package(d / "src"))
    members["children.csv/x.csv"] = b"child_id\nX\n"
    write_zip(d / "package.zip", members)
    shutil.rmtree(d / "src")


@case("zip-long-member-name", "a zipped package with a member named by 300 characters (no file system takes it)",
      ZIP_RUNS, Expect(2, ("package.zip", "300 bytes", "cannot be extracted")))
def _(d: Path) -> None:
    members = package_members(tiny_package(d / "src"))
    members["n" * 296 + ".csv"] = b"child_id\nX\n"
    write_zip(d / "package.zip", members)
    shutil.rmtree(d / "src")


@case("pkg-30000-resources", "datapackage.json lists 30,000 resources, each children.csv again", package_runs(),
      Expect(2, ("datapackage.json", f"{30_000 + len(std.load().tables):,} files", "at most 200")), generated=True,
      seconds=10)
def _(d: Path) -> None:
    pkg = tiny_package(d / "package")
    desc = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    desc["resources"] += [{"name": f"t{n}", "path": "children.csv"} for n in range(30_000)]
    (pkg / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")


# ---------------------------------------------------------------- explanations (validate --explanations)

EXPLAINED = {"validate": ["validate", PACKAGE, "--explanations", "{case}/explanations.yaml"]}


@case("pkg-explanations-yaml-bomb", "the explanations file is a 553-byte YAML alias bomb (billions of values)",
      EXPLAINED, Expect(2, ("explanations.yaml", "aliases", "YAML bomb")), seconds=5)
def _(d: Path) -> None:
    tiny_package(d / "package")
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        lines.append(f"{chr(97 + i)}: &{chr(97 + i)} [" + ",".join([f"*{chr(96 + i)}"] * 9) + "]")
    lines.append("explanations: [{code: *i, table: children, row: 2, explanation: *i}]")
    text = "\n".join(lines) + "\n"
    (d / "explanations.yaml").write_text(text + " " * (553 - len(text)), encoding="utf-8")


@case("pkg-explanations-yaml-cycle", "an alias inside the value it names (&a [*a]): never ends", EXPLAINED,
      Expect(2, ("explanations.yaml", "line 1", "inside the value it names")), seconds=5)
def _(d: Path) -> None:
    tiny_package(d / "package")
    (d / "explanations.yaml").write_text("explanations: &a [*a]\n", encoding="utf-8")
