"""The tool description a framework serves for a docstring.

The MCP SDK serves the whole docstring. The standalone `fastmcp` package (3.x
and later) reads Google, NumPy and Sphinx sections and serves only the text
before them when the docstring is structured:

- 3.x: when one of the styles (tried in that order) finds documented
  parameters;
- 4.x: when one of them finds any section (parameters, returns, raises,
  examples, notes and the like).

Otherwise the whole docstring is served. The section rules below follow the
Google-style reader those versions use; NumPy and Sphinx are recognised by
their section underlines and `:param x:` fields.
"""

from __future__ import annotations

import re

FULL = "full"
FASTMCP3 = "fastmcp3"  # split when parameters are documented
FASTMCP4 = "fastmcp4"  # split when any section is found

_GOOGLE_KINDS = {
    "args": "parameters",
    "arguments": "parameters",
    "params": "parameters",
    "parameters": "parameters",
    "keyword args": "other",
    "keyword arguments": "other",
    "other args": "other",
    "other arguments": "other",
    "other params": "other",
    "other parameters": "other",
    "type args": "other",
    "type arguments": "other",
    "type params": "other",
    "type parameters": "other",
    "raises": "other",
    "exceptions": "other",
    "returns": "other",
    "yields": "other",
    "receives": "other",
    "examples": "examples",
    "attributes": "other",
    "functions": "other",
    "methods": "other",
    "classes": "other",
    "type aliases": "other",
    "modules": "other",
    "warns": "other",
    "warnings": "other",
}
_TITLE = re.compile(r"^(?P<type>[\w][\s\w-]*):(\s+(?P<title>[^\s].*))?\s*$", re.IGNORECASE)


def served_description(doc: str, rule: str) -> str:
    """The description served for the cleaned docstring `doc` under `rule`."""
    if rule == FULL or not doc:
        return doc
    for parse in (_google, _numpy, _sphinx):
        sections = parse(doc)
        params = sum(count for kind, _, count in sections if kind == "parameters")
        structured = any(kind != "text" for kind, _, _ in sections)
        if params or (rule == FASTMCP4 and structured):
            text = next((value for kind, value, _ in sections if kind == "text"), None)
            return text or ""
    return doc


Section = tuple[str, str, int]  # (kind, text value, number of items)


def _blank(line: str) -> bool:
    return not line or line.isspace()


def _google(doc: str) -> list[Section]:
    """Sections of a Google-style docstring: ("text", value, 0) or (kind, "", items)."""
    lines = doc.split("\n")
    sections: list[Section] = []
    text: list[str] = []
    in_fence = False
    offset = 0

    def flush() -> None:
        if any(text):
            sections.append(("text", "\n".join(text).rstrip("\n"), 0))
        text.clear()

    while offset < len(lines):
        line = lines[offset]
        fence = line.lstrip(" ").startswith("```")
        match = _TITLE.match(line) if ":" in line and not in_fence and not fence else None
        if in_fence or fence:
            in_fence = in_fence != fence
            text.append(line)
        elif match is None:
            text.append(line)
        else:
            below = lines[offset + 1] if offset + 1 < len(lines) else None
            below2 = lines[offset + 2] if offset + 2 < len(lines) else None
            blank_below = below is not None and _blank(below)
            indented_below = below is not None and not blank_below and below.startswith(" ")
            indented_below2 = below2 is not None and not _blank(below2) and below2.startswith(" ")
            blank_above = offset == 0 or _blank(lines[offset - 1])
            if (
                not (indented_below or indented_below2)
                or not blank_above
                or (indented_below2 and blank_below)
            ):
                text.append(line)  # not a section: no content, or no blank line above
                offset += 1
                continue
            kind = _GOOGLE_KINDS.get(match.group("type").lower())
            if kind is not None:
                flush()
                if kind == "examples":
                    _, offset = _block(lines, offset + 1)
                    sections.append((kind, "", 1))
                else:
                    items, offset = _block_items(lines, offset + 1)
                    count = sum(1 for first in items if ":" in first)
                    sections.append((kind, "", count))
            else:  # an admonition ("Note:", "Warning:") with an indented block
                contents, end = _block(lines, offset + 1)
                if contents:
                    flush()
                    sections.append(("admonition", "", 1))
                    offset = end
                else:
                    text.append(lines[end])
                    offset = end
        offset += 1
    flush()
    return sections


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _block_items(lines: list[str], offset: int) -> tuple[list[str], int]:
    """First lines of the items of an indented block, and the block's last line."""
    while offset < len(lines) and _blank(lines[offset]):
        offset += 1
    if offset >= len(lines):
        return [], offset - 1
    indent = _indent(lines[offset])
    if indent == 0:
        return [], offset - 1
    items = [lines[offset][indent:]]
    offset += 1
    while offset < len(lines):
        line = lines[offset]
        if _blank(line) or line.startswith(" " * (indent + 1)):
            pass  # blank or continuation line
        elif line.startswith(" " * indent):
            items.append(line[indent:])
        else:
            break
        offset += 1
    return items, offset - 1


def _block(lines: list[str], offset: int) -> tuple[str, int]:
    """An indented block's text and its last line (the line before when not indented)."""
    start = offset
    if offset >= len(lines):
        return "", offset - 1
    while offset < len(lines) and _blank(lines[offset]):
        offset += 1
    if offset >= len(lines):
        return "", start - 1
    indent = _indent(lines[offset])
    if indent == 0:
        return "", start - 1
    block = [lines[offset].lstrip()]
    offset += 1
    while offset < len(lines) and (lines[offset].startswith(" " * indent) or _blank(lines[offset])):
        block.append(lines[offset][indent:])
        offset += 1
    return "\n".join(block).rstrip("\n"), offset - 1


_NUMPY_TITLES = {
    "parameters": "parameters",
    "params": "parameters",
    "arguments": "parameters",
    "args": "parameters",
    "other parameters": "other",
    "returns": "other",
    "yields": "other",
    "receives": "other",
    "raises": "other",
    "warns": "other",
    "warnings": "other",
    "see also": "other",
    "notes": "other",
    "references": "other",
    "examples": "other",
    "attributes": "other",
    "methods": "other",
}


def _numpy(doc: str) -> list[Section]:
    """NumPy style: a known title underlined with dashes starts a section."""
    lines = doc.split("\n")
    for index in range(len(lines) - 1):
        title = lines[index].strip().lower()
        underline = lines[index + 1].strip()
        if title in _NUMPY_TITLES and len(underline) >= 3 and set(underline) == {"-"}:
            if index > 0 and not _blank(lines[index - 1]):
                continue
            text = "\n".join(lines[:index]).strip("\n")
            kind = _NUMPY_TITLES[title]
            items = 1 if kind == "other" else _numpy_items(lines, index + 2)
            sections: list[Section] = [("text", text, 0)] if text.strip() else []
            return [*sections, (kind, "", items)]
    return [("text", doc, 0)]


def _numpy_items(lines: list[str], offset: int) -> int:
    count = 0
    for line in lines[offset:]:
        if _blank(line):
            continue
        if _indent(line) == 0:
            if offset < len(lines) and set(line.strip()) == {"-"}:
                break
            count += 1
    return count


_SPHINX_FIELD = re.compile(
    r"^:(param|parameter|arg|argument|key|keyword|type|raises?|except|"
    r"exception|var|ivar|cvar|vartype|returns?|rtype|yields?)\b[^:]*:"
)


def _sphinx(doc: str) -> list[Section]:
    """Sphinx style: `:param x: ...` fields end the description."""
    lines = doc.split("\n")
    for index, line in enumerate(lines):
        match = _SPHINX_FIELD.match(line.lstrip())
        if match:
            text = "\n".join(lines[:index]).rstrip("\n")
            params = sum(
                1
                for rest in lines[index:]
                if re.match(r"^:(param|parameter|arg|argument|key|keyword)\s+\S", rest.lstrip())
            )
            sections: list[Section] = [("text", text, 0)] if text.strip() else []
            return [*sections, ("parameters" if params else "other", "", params)]
    return [("text", doc, 0)]
