"""PE (Windows) section headers. Go keeps its read-only data, types and function
table inside `.rdata` there, so `.rdata` is also offered under ELF's `.rodata` name."""

from __future__ import annotations

from crawler.extract.gobinary.image import Image, Section
from crawler.extract.gobinary.view import Corrupt, View

_MACHINES = {0x8664: "amd64", 0xAA64: "arm64", 0x14C: "386", 0x1C4: "arm"}
MAX_SECTIONS = 96  # the format's own limit


def read_pe(view: View) -> Image:
    header = view.u32(0x3C)
    if view.bytes(header, 4) != b"PE\x00\x00":
        raise Corrupt("no PE signature")
    machine, count = view.u16(header + 4), view.u16(header + 6)
    optional_size = view.u16(header + 20)
    arch = _MACHINES.get(machine, f"unknown (PE machine {machine:#x})")
    if count > MAX_SECTIONS:
        raise Corrupt(f"{count} sections")
    optional = header + 24
    magic = view.u16(optional)
    if magic == 0x20B:
        base, pointer = view.u64(optional + 24), 8
    elif magic == 0x10B:
        base, pointer = view.u32(optional + 28), 4
    else:
        raise Corrupt(f"unknown optional header magic {magic:#x}")
    table = optional + optional_size
    sections: list[Section] = []
    for index in range(count):
        at = table + index * 40
        name = view.bytes(at, 8).split(b"\x00", 1)[0].decode("latin-1")
        virtual_size, virtual_address = view.u32(at + 8), view.u32(at + 12)
        raw_size, raw_offset = view.u32(at + 16), view.u32(at + 20)
        size = min(virtual_size or raw_size, raw_size)
        if size:
            view.check(raw_offset, size)
        sections.append(Section(name, base + virtual_address, raw_offset, size, size > 0))
        if name == ".rdata":
            sections.append(Section(".rodata", base + virtual_address, raw_offset, size, size > 0))
    return Image(view, "PE", arch, pointer, sections)
