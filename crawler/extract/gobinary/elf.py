"""ELF section headers (32- and 64-bit, little-endian), enough to find Go's sections."""

from __future__ import annotations

from crawler.extract.gobinary.image import Image, Section
from crawler.extract.gobinary.view import Corrupt, Unsupported, View

# e_machine numbers of the architectures Go builds for.
_MACHINES = {3: "386", 40: "arm", 62: "amd64", 183: "arm64", 243: "riscv64", 8: "mips"}
_SHT_NOBITS = 8
# Go writes a few dozen sections; a count far beyond that is a corrupt header.
MAX_SECTIONS = 512
_MAX_SECTION_NAME = 256


def read_elf(view: View) -> Image:
    if view.bytes(0, 4) != b"\x7fELF":
        raise Corrupt("not an ELF file")
    klass, endian = view.u8(4), view.u8(5)
    if endian != 1:
        raise Unsupported("big-endian ELF")
    if klass not in (1, 2):
        raise Corrupt(f"unknown ELF class {klass}")
    wide = klass == 2
    machine = view.u16(18)
    arch = _MACHINES.get(machine, f"unknown (ELF machine {machine})")
    if wide:
        shoff, shentsize, shnum, shstrndx = (
            view.u64(0x28),
            view.u16(0x3A),
            view.u16(0x3C),
            view.u16(0x3E),
        )
    else:
        shoff, shentsize, shnum, shstrndx = (
            view.u32(0x20),
            view.u16(0x2E),
            view.u16(0x30),
            view.u16(0x32),
        )
    if shnum == 0:
        raise Unsupported("no section headers")
    if shnum > MAX_SECTIONS or shentsize < (64 if wide else 40):
        raise Corrupt(f"implausible section table ({shnum} entries of {shentsize} bytes)")
    view.check(shoff, shnum * shentsize)
    raw = [_section_header(view, shoff + i * shentsize, wide) for i in range(shnum)]
    if shstrndx >= shnum:
        raise Corrupt("section name table index is out of range")
    names_at = raw[shstrndx][3]
    sections = []
    for name_offset, kind, address, offset, size in raw:
        name = view.cstring(names_at + name_offset, _MAX_SECTION_NAME).decode("latin-1")
        in_file = kind != _SHT_NOBITS
        if in_file and size:
            view.check(offset, size)
        sections.append(Section(name, address, offset, size, in_file))
    return Image(view, "ELF", arch, 8 if wide else 4, sections)


def _section_header(view: View, at: int, wide: bool) -> tuple[int, int, int, int, int]:
    """(name offset, type, address, file offset, size)."""
    if wide:
        return (
            view.u32(at),
            view.u32(at + 4),
            view.u64(at + 16),
            view.u64(at + 24),
            view.u64(at + 32),
        )
    return view.u32(at), view.u32(at + 4), view.u32(at + 12), view.u32(at + 16), view.u32(at + 20)
