"""Read councils' XML files safely (defusedxml: no entity expansion, no external entities),
keeping the line of each element so issues can point at it."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.etree.ElementTree import TreeBuilder

import defusedxml.ElementTree as ET
from defusedxml import DefusedXmlException

from mcds.errors import InputError

__all__ = ["parse_with_lines"]


def parse_with_lines(path: Path) -> tuple[Any, dict[int, int]]:
    """The root element (namespaces stripped from tags) and ``{id(element): line}``."""
    from mcds.safety import MEMORY_FACTOR_IN_PYTHON, check_fits_in_memory

    path = Path(path)
    check_fits_in_memory([path], MEMORY_FACTOR_IN_PYTHON)  # the whole tree is held in memory
    lines: dict[int, int] = {}
    parser: Any = None

    class Builder(TreeBuilder):
        def start(self, tag: str, attrs: dict[str, str]) -> Any:
            element = super().start(tag.rsplit("}", 1)[-1], attrs)
            lines[id(element)] = parser.parser.CurrentLineNumber
            return element

    # No DTD at all (councils' 903 and CIN files never need one), no entities, nothing external.
    parser = ET.DefusedXMLParser(target=Builder(), forbid_dtd=True, forbid_entities=True, forbid_external=True)
    try:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                parser.feed(chunk)
        root = parser.close()
    except OSError as exc:
        raise InputError(path, f"cannot read the file ({exc.strerror})") from None
    except DefusedXmlException as exc:
        raise InputError(path, f"refused: the XML uses a forbidden construct ({type(exc).__name__})") from None
    except ET.ParseError as exc:
        raise InputError(path, f"not well-formed XML ({exc})") from None
    except LookupError as exc:  # <?xml encoding="..."?> names an encoding that does not exist
        raise InputError(path, f"the XML declares an encoding Python does not know ({exc}); save it as UTF-8",
                         where="line 1") from None
    return root, lines
