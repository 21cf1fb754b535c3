"""Writes tiny Go-shaped ELF executables for the binary reader's tests.

What a real Go linker writes, reduced to what the reader looks at: an ELF
header with section headers (.text, .rodata, .gopclntab, .go.buildinfo), the
build info blob, a Go 1.20 function table, runtime type descriptors and names,
and functions assembled from the few x86-64 instructions the Go compiler uses
to pass arguments (LEA of read-only data, MOV of an immediate, stores to the
stack or to a new object, CALL). Every function gets a fixed 512-byte slot so
addresses are known before any code is written. Also zips a wheel around them.
"""

from __future__ import annotations

import io
import struct
import zipfile
from dataclasses import dataclass, field

TEXT = 0x401000
RODATA = 0x500000
DATA = 0x800000  # package-level variables (.noptrdata)
SLOT = 0x200
AX, CX, DX, BX, SP, BP, SI, DI = range(8)
KIND_BOOL, KIND_INT, KIND_INTERFACE, KIND_POINTER, KIND_STRING, KIND_STRUCT = 1, 2, 20, 22, 24, 25


def wheel(members: dict[str, bytes]) -> bytes:
    """A wheel (a zip) holding these files, as a package ships an executable."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def uvarint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


class Asm:
    """An x86-64 assembler for one function, at a known address."""

    def __init__(self, address: int) -> None:
        self.address = address
        self.code = bytearray()

    def _here(self) -> int:
        return self.address + len(self.code)

    @staticmethod
    def _rex(reg: int, base: int = 0, wide: bool = True) -> int:
        return 0x40 | (8 if wide else 0) | (4 if reg & 8 else 0) | (1 if base & 8 else 0)

    def lea_rip(self, reg: int, target: int) -> Asm:
        self.code += bytes([self._rex(reg), 0x8D, 0x05 | ((reg & 7) << 3)])
        self.code += struct.pack("<i", target - (self._here() + 4))
        return self

    def mov_imm(self, reg: int, value: int) -> Asm:
        if reg & 8:
            self.code.append(0x41)
        self.code += bytes([0xB8 + (reg & 7)]) + struct.pack("<I", value)
        return self

    def zero(self, reg: int) -> Asm:
        self.code += bytes([0x31, 0xC0 | ((reg & 7) << 3) | (reg & 7)])
        return self

    def call(self, target: int) -> Asm:
        self.code += b"\xe8" + struct.pack("<i", target - (self._here() + 5))
        return self

    def call_reg(self, reg: int) -> Asm:
        self.code += bytes([0xFF, 0xD0 | (reg & 7)])
        return self

    def _mem(self, opcode: int, reg: int, base: int, disp: int) -> None:
        self.code += bytes([self._rex(reg, base), opcode, 0x80 | ((reg & 7) << 3) | (base & 7)])
        if base & 7 == SP:
            self.code.append(0x24)
        self.code += struct.pack("<i", disp)

    def store(self, base: int, disp: int, reg: int) -> Asm:
        self._mem(0x89, reg, base, disp)
        return self

    def load(self, reg: int, base: int, disp: int) -> Asm:
        self._mem(0x8B, reg, base, disp)
        return self

    def lea(self, reg: int, base: int, disp: int) -> Asm:
        self._mem(0x8D, reg, base, disp)
        return self

    def store_imm(self, base: int, disp: int, value: int) -> Asm:
        self._mem(0xC7, 0, base, disp)
        self.code += struct.pack("<i", value)
        return self

    def store_byte(self, base: int, disp: int, value: int) -> Asm:
        self.code += bytes([0xC6, 0x80 | (base & 7)])
        if base & 7 == SP:
            self.code.append(0x24)
        self.code += struct.pack("<i", disp) + bytes([value])
        return self

    def load_rip(self, reg: int, target: int) -> Asm:
        self.code += bytes([self._rex(reg), 0x8B, 0x05 | ((reg & 7) << 3)])
        self.code += struct.pack("<i", target - (self._here() + 4))
        return self

    def mov(self, dst: int, src: int) -> Asm:
        """MOV dst, src between 64-bit registers."""
        self.code += bytes([self._rex(src, dst), 0x89, 0xC0 | ((src & 7) << 3) | (dst & 7)])
        return self

    def _xmm(self, opcode: int, xmm: int, base: int, disp: int) -> None:
        rex = 0x40 | (4 if xmm & 8 else 0) | (1 if base & 8 else 0)
        self.code += (bytes([rex]) if rex != 0x40 else b"") + bytes([0x0F, opcode])
        self.code.append(0x40 | ((xmm & 7) << 3) | (base & 7))
        if base & 7 == SP:
            self.code.append(0x24)
        self.code += struct.pack("<b", disp)

    def movups_load(self, xmm: int, base: int, disp: int) -> Asm:
        self._xmm(0x10, xmm, base, disp)
        return self

    def movups_store(self, base: int, disp: int, xmm: int) -> Asm:
        self._xmm(0x11, xmm, base, disp)
        return self

    def add_imm(self, reg: int, value: int) -> Asm:
        self.code += bytes([self._rex(0, reg), 0x83, 0xC0 | (reg & 7)]) + struct.pack("<b", value)
        return self

    def dec32(self, reg: int) -> Asm:
        self.code += (b"\x41" if reg & 8 else b"") + bytes([0xFF, 0xC8 | (reg & 7)])
        return self

    def here(self) -> int:
        return self._here()

    def jnz(self, target: int) -> Asm:
        self.code += b"\x75" + struct.pack("<b", target - (self._here() + 2))
        return self

    def raw(self, data: bytes) -> Asm:
        self.code += data
        return self

    def ret(self) -> Asm:
        self.code.append(0xC3)
        return self


@dataclass
class GoElf:
    module: str = "example.test/srv"
    version: str = "v1.2.3"
    go_version: str = "go1.22.4"
    machine: int = 62
    functions: list[str] = field(default_factory=list)
    code: dict[str, bytes] = field(default_factory=dict)
    rodata: bytearray = field(default_factory=bytearray)
    variables: int = 0  # bytes of package-level variables laid out so far
    dependencies: list[tuple[str, str]] = field(
        default_factory=lambda: [("github.com/mark3labs/mcp-go", "v0.36.0")]
    )

    # ------------------------------------------------------------------ layout

    def declare(self, *names: str) -> None:
        self.functions.extend(names)

    def entry(self, name: str) -> int:
        return TEXT + SLOT * self.functions.index(name)

    def asm(self, name: str) -> Asm:
        return Asm(self.entry(name))

    def define(self, name: str, asm: Asm) -> None:
        assert len(asm.code) <= SLOT, f"{name} is too long"
        self.code[name] = bytes(asm.code)

    def data(self, blob: bytes, align: int = 8) -> int:
        while len(self.rodata) % align:
            self.rodata.append(0)
        at = RODATA + len(self.rodata)
        self.rodata += blob
        return at

    def string(self, text: str) -> tuple[int, int]:
        raw = text.encode()
        return self.data(raw, 1), len(raw)

    def name(self, text: str, tag: str = "", exported: bool = True) -> int:
        flags = (1 if exported else 0) | (2 if tag else 0)
        blob = bytes([flags]) + uvarint(len(text.encode())) + text.encode()
        if tag:
            blob += uvarint(len(tag.encode())) + tag.encode()
        return self.data(blob, 1)

    def type(self, kind: int, size: int, title: str, extra: bytes = b"") -> int:
        """A type descriptor; `extra` is the kind-specific part after the 48-byte header."""
        title_at = self.name(title, exported=False) - RODATA
        header = struct.pack("<QQIBBBBQQii", size, 0, 0, 0, 8, 8, kind, 0, 0, title_at, 0)
        return self.data(header + extra)

    def struct_type(self, title: str, fields: list[tuple[str, int, int, str]]) -> int:
        """fields: (name, type address, offset, tag)."""
        entries = b"".join(
            struct.pack("<QQQ", self.name(n, tag), t, offset) for n, t, offset, tag in fields
        )
        table = self.data(entries) if fields else 0
        size = max((offset + 16 for _, _, offset, _ in fields), default=0)
        extra = struct.pack("<QQQQ", 0, table, len(fields), len(fields))
        return self.type(KIND_STRUCT, size, title, extra)

    def pointer_type(self, title: str, element: int) -> int:
        return self.type(KIND_POINTER, 8, title, struct.pack("<Q", element))

    def variable(self, size: int) -> int:
        """A zeroed package-level variable of `size` bytes, 8-byte aligned."""
        at = DATA + self.variables
        self.variables += size + (-size % 8)
        return at

    def words(self, *values: int) -> int:
        return self.data(b"".join(struct.pack("<Q", v) for v in values))

    # ------------------------------------------------------------------ the file

    def build(self) -> bytes:
        sections = [
            (".text", TEXT, self._text(), 6),  # allocated, executable
            (".rodata", RODATA, bytes(self.rodata) or b"\x00", 2),
            (".gopclntab", RODATA + 0x100000, self._pclntab(), 2),
            (".go.buildinfo", RODATA + 0x200000, self._buildinfo(), 3),
        ]
        if self.variables:
            sections.append((".noptrdata", DATA, bytes(self.variables), 3))  # writable
        return _elf(sections, self.machine)

    def build_macho(self) -> bytes:
        """The same program as a 64-bit Mach-O file (macOS section names)."""
        sections = [
            ("__text", "__TEXT", TEXT, self._text()),
            ("__rodata", "__DATA_CONST", RODATA, bytes(self.rodata) or b"\x00"),
            ("__gopclntab", "__DATA_CONST", RODATA + 0x100000, self._pclntab()),
            ("__go_buildinfo", "__DATA", RODATA + 0x200000, self._buildinfo()),
        ]
        return _macho(sections)

    def build_pe(self) -> bytes:
        """The same program as a PE file: read-only data and the function table share
        .rdata, and nothing names where the build info or the table start."""
        pclntab = self._pclntab()
        rdata = bytes(self.rodata).ljust(0x100000, b"\x00") + pclntab
        sections = [
            (".text", TEXT, self._text()),
            (".rdata", RODATA, rdata),
            (".data", RODATA + 0x200000, self._buildinfo()),
        ]
        return _pe(sections)

    def _text(self) -> bytes:
        text = bytearray()
        for name in self.functions:
            body = self.code.get(name, b"\xc3")
            text += body + b"\xcc" * (SLOT - len(body))
        return bytes(text)

    def _buildinfo(self) -> bytes:
        lines = [f"path\t{self.module}/cmd/server", f"mod\t{self.module}\t{self.version}\th1:x="]
        lines += [f"dep\t{path}\t{version}\th1:y=" for path, version in self.dependencies]
        modinfo = b"\x30" * 16 + ("\n".join(lines) + "\n").encode() + b"\xf1" * 16
        version = self.go_version.encode()
        head = b"\xff Go buildinf:" + bytes([8, 2]) + b"\x00" * 16
        return head + uvarint(len(version)) + version + uvarint(len(modinfo)) + modinfo

    def _pclntab(self) -> bytes:
        names = bytearray()
        name_offsets = []
        for name in self.functions:
            name_offsets.append(len(names))
            names += name.encode() + b"\x00"
        count = len(self.functions)
        header_size = 8 + 8 * 8
        names_at = header_size
        table_at = names_at + len(names)
        table_at += -table_at % 8
        records_at = (count + 1) * 8  # the _func records follow the pairs
        pairs = bytearray()
        records = bytearray()
        for index, offset in enumerate(name_offsets):
            pairs += struct.pack("<II", index * SLOT, records_at + len(records))
            records += struct.pack("<Ii", index * SLOT, offset) + b"\x00" * 8
        pairs += struct.pack("<II", count * SLOT, 0)
        header = struct.pack("<IBBBB", 0xFFFFFFF1, 0, 0, 1, 8)
        header += struct.pack("<8Q", count, 0, TEXT, names_at, 0, 0, 0, table_at)
        blob = header + bytes(names)
        blob += b"\x00" * (table_at - len(blob))
        return blob + bytes(pairs) + bytes(records)


def _elf(sections: list[tuple[str, int, bytes, int]], machine: int) -> bytes:
    """An ELF64 little-endian executable with these PROGBITS sections and a name table."""
    names = bytearray(b"\x00")
    name_at = []
    for title, *_ in sections:
        name_at.append(len(names))
        names += title.encode() + b"\x00"
    shstr_name = len(names)
    names += b".shstrtab\x00"
    body = bytearray()
    offsets = []
    base = 0x1000
    for _, _, blob, _ in sections:
        while (base + len(body)) % 16:
            body.append(0)
        offsets.append(base + len(body))
        body += blob
    names_offset = base + len(body)
    body += names
    while (base + len(body)) % 8:
        body.append(0)
    section_table = base + len(body)
    count = len(sections) + 2
    header = b"\x7fELF" + bytes([2, 1, 1, 0]) + b"\x00" * 8
    header += struct.pack(
        "<HHIQQQIHHHHHH", 2, machine, 1, TEXT, 0, section_table, 0, 64, 0, 0, 64, count, count - 1
    )
    header += b"\x00" * (base - len(header))
    table = b"\x00" * 64
    for (_, address, blob, flags), offset, at in zip(sections, offsets, name_at, strict=True):
        table += struct.pack("<IIQQQQIIQQ", at, 1, flags, address, offset, len(blob), 0, 0, 16, 0)
    table += struct.pack("<IIQQQQIIQQ", shstr_name, 3, 0, 0, names_offset, len(names), 0, 0, 1, 0)
    return header + bytes(body) + table


def _macho(sections: list[tuple[str, str, int, bytes]]) -> bytes:
    """A Mach-O 64 x86-64 file with one LC_SEGMENT_64 command per section."""
    commands = bytearray()
    offset = 0x1000
    body = bytearray()
    for name, segment, address, blob in sections:
        section = struct.pack(
            "<16s16sQQIIIIIIII",
            name.encode(),
            segment.encode(),
            address,
            len(blob),
            offset + len(body),
            4,
            0,
            0,
            0,
            0,
            0,
            0,
        )
        command = struct.pack(
            "<II16sQQQQiiII",
            0x19,
            72 + 80,
            segment.encode(),
            address,
            len(blob),
            offset + len(body),
            len(blob),
            5,
            5,
            1,
            0,
        )
        commands += command + section
        body += blob
        body += b"\x00" * (-len(body) % 16)
    header = struct.pack(
        "<IiiIIIII", 0xFEEDFACF, 0x01000007, 3, 2, len(sections), len(commands), 0, 0
    )
    head = header + bytes(commands)
    return head + b"\x00" * (offset - len(head)) + bytes(body)


def _pe(sections: list[tuple[str, int, bytes]]) -> bytes:
    """A PE32+ x86-64 file with these sections, based at 0x400000."""
    base = 0x400000
    lfanew = 0x80
    optional = bytearray(240)
    struct.pack_into("<HQ", optional, 0, 0x20B, 0)
    struct.pack_into("<Q", optional, 24, base)
    table = bytearray()
    body = bytearray()
    offset = 0x400
    for name, address, blob in sections:
        table += struct.pack(
            "<8sIIIIIIHHI",
            name.encode(),
            len(blob),
            address - base,
            len(blob),
            offset + len(body),
            0,
            0,
            0,
            0,
            0x40000040,
        )
        body += blob + b"\x00" * (-len(blob) % 0x200)
    coff = struct.pack("<HHIIIHH", 0x8664, len(sections), 0, 0, 0, len(optional), 0x22)
    head = b"MZ" + b"\x00" * (0x3C - 2) + struct.pack("<I", lfanew)
    head += b"\x00" * (lfanew - len(head)) + b"PE\x00\x00" + coff + bytes(optional) + bytes(table)
    return head + b"\x00" * (offset - len(head)) + bytes(body)
