"""Mach-O (64-bit, little-endian) section headers, named as their ELF counterparts."""

from __future__ import annotations

from crawler.extract.gobinary.image import Image, Section
from crawler.extract.gobinary.view import Corrupt, Unsupported, View

_MAGIC_64 = 0xFEEDFACF
_LC_SEGMENT_64 = 0x19
_S_ZEROFILL = 0x1
_CPU_TYPES = {0x01000007: "amd64", 0x0100000C: "arm64"}
# Go's section names on macOS, and the ELF names the rest of the reader asks for.
_ELF_NAMES = {
    "__text": ".text",
    "__rodata": ".rodata",
    "__gopclntab": ".gopclntab",
    "__go_buildinfo": ".go.buildinfo",
    "__typelink": ".typelink",
    "__noptrdata": ".noptrdata",
    "__data": ".data",
    "__bss": ".bss",
    "__noptrbss": ".noptrbss",
}
MAX_COMMANDS = 4096
MAX_SECTIONS_PER_SEGMENT = 256


def read_macho(view: View) -> Image:
    magic = view.u32(0)
    if magic != _MAGIC_64:
        raise Unsupported("32-bit or universal Mach-O")
    cpu = view.u32(4)
    arch = _CPU_TYPES.get(cpu, f"unknown (Mach-O CPU {cpu:#x})")
    count, size = view.u32(16), view.u32(20)
    if count > MAX_COMMANDS:
        raise Corrupt(f"{count} load commands")
    view.check(32, size)
    sections: list[Section] = []
    at, end = 32, 32 + size
    for _ in range(count):
        command, length = view.u32(at), view.u32(at + 4)
        if length < 8 or at + length > end:
            raise Corrupt(f"load command at {at:#x} has a bad size {length}")
        if command == _LC_SEGMENT_64:
            sections.extend(_segment_sections(view, at, length))
        at += length
    return Image(view, "Mach-O", arch, 8, sections)


def _segment_sections(view: View, at: int, length: int) -> list[Section]:
    count = view.u32(at + 64)
    if count > MAX_SECTIONS_PER_SEGMENT or 72 + count * 80 > length:
        raise Corrupt(f"segment at {at:#x} lists {count} sections that do not fit")
    found = []
    for index in range(count):
        header = at + 72 + index * 80
        raw_name = view.bytes(header, 16).split(b"\x00", 1)[0].decode("latin-1")
        address, size = view.u64(header + 32), view.u64(header + 40)
        offset, flags = view.u32(header + 48), view.u32(header + 64)
        in_file = (flags & 0xFF) != _S_ZEROFILL and offset != 0
        if in_file and size:
            view.check(offset, size)
        found.append(Section(_ELF_NAMES.get(raw_name, raw_name), address, offset, size, in_file))
    return found
