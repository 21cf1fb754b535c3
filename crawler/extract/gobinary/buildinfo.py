"""Go's build information blob: the Go version, the main module and its version.

Since Go 1.18 the blob starts with the 14-byte magic "\\xff Go buildinf:", a
pointer-size byte and a flags byte; with flag 2 set, two varint-prefixed
strings follow the 32-byte header (the Go version, then the module info);
older toolchains store two pointers to Go string headers instead. The module
info is text between two 16-byte sentinels: lines `path <import path>`,
`mod <path> <version> <sum>`, `dep ...`, `build <key>=<value>`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crawler.extract.gobinary.image import Image
from crawler.extract.gobinary.view import Corrupt

MAGIC = b"\xff Go buildinf:"
_HEADER = 32
_INLINE_STRINGS = 0x2
_BIG_ENDIAN = 0x1
_SENTINEL = 16
# The blob sits at the start of its section; if there is no section, look this far.
_SEARCH_LIMIT = 64 * 1024 * 1024
_MAX_TEXT = 4 * 1024 * 1024


@dataclass
class BuildInfo:
    go_version: str = ""
    path: str = ""  # the main package's import path
    module: str = ""  # the main module's path
    version: str = ""  # "(devel)" for a build outside a tagged release
    settings: dict[str, str] = field(default_factory=dict)
    dependencies: list[str] = field(default_factory=list)  # module paths
    # Modules built from a local copy ("(devel)"): the program's own code when a build
    # from files names no main module.
    local_modules: list[str] = field(default_factory=list)

    def built_from(self) -> str:
        """`github.com/owner/repo v1.2.3`, with the commit when the version does not name one."""
        module = self.module or (self.local_modules[0] if len(self.local_modules) == 1 else "")
        if not module:
            return ""
        text = f"{module} {self.version}".strip()
        revision = self.settings.get("vcs.revision", "")
        if revision and (not self.version or self.version == "(devel)"):
            text += f" (commit {revision[:12]})"
        return text


def read_build_info(image: Image) -> BuildInfo | None:
    """The build info, or None when the file has none (not Go, or too old a Go)."""
    view = image.view
    section = image.section(".go.buildinfo")
    if section is not None and section.in_file:
        start = section.offset
        if view.bytes(start, len(MAGIC)) != MAGIC:
            start = view.find(MAGIC, section.offset, section.offset + section.size)
    else:
        start = view.find(MAGIC, 0, _SEARCH_LIMIT)
    if start < 0:
        return None
    pointer_size, flags = view.u8(start + 14), view.u8(start + 15)
    if flags & _INLINE_STRINGS:
        version, at = _varint_string(image, start + _HEADER)
        modinfo, _ = _varint_string(image, at)
    else:
        if flags & _BIG_ENDIAN or pointer_size not in (4, 8):
            raise Corrupt("build info of an unsupported layout")
        version = _string_header(image, view.word(start + 16, pointer_size), pointer_size)
        modinfo = _string_header(
            image, view.word(start + 16 + pointer_size, pointer_size), pointer_size
        )
    info = BuildInfo(go_version=version)
    if len(modinfo) >= 2 * _SENTINEL:
        _parse_modinfo(modinfo[_SENTINEL:-_SENTINEL], info)
    return info


def _varint_string(image: Image, at: int) -> tuple[str, int]:
    length, at = image.view.uvarint(at)
    if length > _MAX_TEXT:
        raise Corrupt(f"build info string of {length} bytes")
    return image.view.bytes(at, length).decode("utf-8", "replace"), at + length


def _string_header(image: Image, address: int, pointer_size: int) -> str:
    data, length = image.word_at(address), image.word_at(address + pointer_size)
    if length > _MAX_TEXT:
        raise Corrupt(f"build info string of {length} bytes")
    return image.bytes_at(data, length).decode("utf-8", "replace") if length else ""


def _parse_modinfo(text: str, info: BuildInfo) -> None:
    for line in text.splitlines():
        kind, _, rest = line.partition("\t")
        parts = rest.split("\t")
        if kind == "path":
            info.path = rest
        elif kind == "mod" and parts:
            info.module = parts[0]
            info.version = parts[1] if len(parts) > 1 else ""
        elif kind == "dep" and parts:
            info.dependencies.append(parts[0])
            if len(parts) > 1 and parts[1] == "(devel)":
                info.local_modules.append(parts[0])
        elif kind == "build":
            key, _, value = rest.partition("=")
            info.settings[key] = value
