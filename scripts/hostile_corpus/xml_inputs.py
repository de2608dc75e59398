"""XML inputs (SSDA903 and CIN census)."""

from __future__ import annotations

from pathlib import Path

from .common import FIXTURES, Expect, case, cin_runs, xml903_runs

# ---------------------------------------------------------------- XML (SSDA903 and CIN census)

BILLION_LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
                  + "".join(f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
                            for i in range(1, 10))
                  + ']>\n<{root}><CHILD><HEADER><CHILDID>&lol9;</CHILDID></HEADER></CHILD></{root}>\n')
XXE = ('<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
       "<{root}><CHILD><HEADER><CHILDID>&xxe;</CHILDID></HEADER></CHILD></{root}>\n")
DTD_ONLY = '<?xml version="1.0"?>\n<!DOCTYPE {root} SYSTEM "http://example.org/evil.dtd">\n<{root}></{root}>\n'
REFUSED_XML = ("refused", "forbidden")

for _root, _runs, _kind in (("EXPSSDA903", xml903_runs, "903"), ("Message", cin_runs, "cin")):
    for _name, _text, _what in (("billion-laughs", BILLION_LAUGHS, "entity expansion (billion laughs)"),
                                ("external-entity", XXE, "an external entity reading file:///etc/passwd"),
                                ("dtd", DTD_ONLY, "a DOCTYPE naming an external DTD")):
        def _build(d: Path, text: str = _text, root: str = _root, kind: str = _kind, name: str = _name) -> None:
            (d / f"{kind}-{name}.xml").write_text(text.replace("{root}", root), encoding="utf-8")

        case(f"xml-{_kind}-{_name}", f"{_kind} XML with {_what}: refused by defusedxml",
             _runs(f"{{case}}/{_kind}-{_name}.xml"), Expect(2, (f"{_kind}-{_name}.xml", *REFUSED_XML[:1]), ("root:",)))(_build)


@case("xml-903-not-well-formed", "903 XML cut short", xml903_runs("{case}/cut.xml"),
      Expect(2, ("cut.xml", "not well-formed", "line")))
def _(d: Path) -> None:
    text = (FIXTURES / "ssda903" / "xml-2024-25" / "SSDA903_202425.xml").read_text(encoding="utf-8")
    (d / "cut.xml").write_text(text[:700], encoding="utf-8")


@case("xml-903-wrong-root", "an XML file that is not an SSDA903 return", xml903_runs("{case}/other.xml"),
      Expect(2, ("other.xml", "EXPSSDA903")))
def _(d: Path) -> None:
    (d / "other.xml").write_text('<?xml version="1.0"?><Message><Children/></Message>', encoding="utf-8")


@case("xml-cin-not-well-formed", "CIN XML that is binary noise", cin_runs("{case}/noise.xml"),
      Expect(2, ("noise.xml", "not well-formed")))
def _(d: Path) -> None:
    (d / "noise.xml").write_bytes(b"<Message>\x00\x01\x02\xff\xfe</Mess")
