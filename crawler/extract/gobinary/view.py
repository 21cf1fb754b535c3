"""Bounded little-endian reads over the bytes of one compiled file.

Every offset is checked against the file's size before it is read, so a
corrupt header or a bogus pointer gives `Corrupt` instead of a wrong value, an
IndexError, or (struct's habit) a read counted back from the end of the file.
The bytes are held as a memoryview: slicing never copies them.
"""

from __future__ import annotations

import mmap
import struct

_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")
_I32 = struct.Struct("<i")
_U64 = struct.Struct("<Q")

# A varint longer than this is not one Go wrote.
_MAX_VARINT_BYTES = 10


class Corrupt(Exception):
    """The file does not hold what its headers promise."""


class Unsupported(Exception):
    """A well-formed file of a kind this reader does not read (yet)."""


class View:
    """Checked reads at file offsets."""

    def __init__(self, data: bytes | mmap.mmap) -> None:
        # bytes and mmap both offer find() and struct reads without copying.
        self.data = data
        self.size = len(data)

    def check(self, offset: int, length: int) -> None:
        if offset < 0 or length < 0 or offset + length > self.size:
            raise Corrupt(f"read of {length} bytes at {offset:#x} is outside the file")

    def u8(self, offset: int) -> int:
        self.check(offset, 1)
        return self.data[offset]

    def u16(self, offset: int) -> int:
        self.check(offset, 2)
        return _U16.unpack_from(self.data, offset)[0]

    def u32(self, offset: int) -> int:
        self.check(offset, 4)
        return _U32.unpack_from(self.data, offset)[0]

    def i32(self, offset: int) -> int:
        self.check(offset, 4)
        return _I32.unpack_from(self.data, offset)[0]

    def u64(self, offset: int) -> int:
        self.check(offset, 8)
        return _U64.unpack_from(self.data, offset)[0]

    def word(self, offset: int, size: int) -> int:
        """An unsigned integer of `size` (4 or 8) bytes."""
        return self.u64(offset) if size == 8 else self.u32(offset)

    def bytes(self, offset: int, length: int) -> bytes:
        self.check(offset, length)
        return bytes(self.data[offset : offset + length])

    def window(self, offset: int, length: int) -> memoryview:
        """A view of `length` bytes without copying them."""
        self.check(offset, length)
        return memoryview(self.data)[offset : offset + length]

    def uvarint(self, offset: int) -> tuple[int, int]:
        """(value, offset after it) of an unsigned LEB128 varint."""
        value = shift = 0
        for index in range(_MAX_VARINT_BYTES):
            byte = self.u8(offset + index)
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                return value, offset + index + 1
            shift += 7
        raise Corrupt(f"varint at {offset:#x} does not end")

    def cstring(self, offset: int, limit: int) -> bytes:
        """The bytes up to a NUL, at most `limit` of them."""
        self.check(offset, 1)
        end = min(self.size, offset + limit)
        stop = self.data.find(b"\x00", offset, end)
        if stop < 0:
            raise Corrupt(f"string at {offset:#x} has no end within {limit} bytes")
        return bytes(self.data[offset:stop])

    def find(self, needle: bytes, start: int = 0, end: int | None = None) -> int:
        return self.data.find(needle, max(0, start), self.size if end is None else end)
