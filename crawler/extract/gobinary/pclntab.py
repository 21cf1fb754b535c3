"""Go's function table (pclntab): every function's name and code range.

Stripped Go binaries keep it because the runtime needs it for stack traces.
Layouts read (see Go's runtime/symtab.go, pcHeader and _func):

- Go 1.18+ (magic 0xfffffff0, 1.20+ 0xfffffff1): header of 8 bytes plus eight
  words (nfunc, nfiles, textStart, then offsets of funcnametab, cutab, filetab,
  pctab and pclntab); the function table holds nfunc+1 pairs of uint32
  (entry offset from textStart, offset of the _func record); a _func record
  starts with its entry offset and the int32 offset of its name in funcnametab.
- Go 1.16-1.17 (0xfffffffa): the same without textStart, with word-sized pairs.
- Go 1.2-1.15 (0xfffffffb): nfunc at byte 8, word-sized pairs after it, names
  counted from the table's start.
"""

from __future__ import annotations

import bisect
import struct
from array import array
from collections.abc import Iterator
from dataclasses import dataclass

from crawler.extract.gobinary.image import Image, Section
from crawler.extract.gobinary.view import Corrupt, Unsupported

_GO118, _GO120, _GO116, _GO12 = 0xFFFFFFF0, 0xFFFFFFF1, 0xFFFFFFFA, 0xFFFFFFFB
# No real program has more functions than this; a larger count is a corrupt header.
MAX_FUNCTIONS = 2_000_000
MAX_NAME = 64 * 1024


@dataclass(frozen=True)
class Function:
    name: str
    entry: int
    end: int

    @property
    def size(self) -> int:
        return self.end - self.entry


class FunctionTable:
    def __init__(self, image: Image) -> None:
        self.image = image
        section = _find_table(image)
        view = image.view
        self.base = base = section.offset
        magic = view.u32(base)
        pointer = view.u8(base + 7)
        if pointer not in (4, 8) or view.u8(base + 6) not in (1, 2, 4):
            raise Corrupt("function table header has a bad pointer or instruction size")
        self.pointer_size = pointer
        if magic in (_GO118, _GO120):
            words = [view.word(base + 8 + i * pointer, pointer) for i in range(8)]
            count, text_start = words[0], words[2]
            names_at, table_at = base + words[3], base + words[7]
            pair, entry_is_offset = 8, True
        elif magic == _GO116:
            words = [view.word(base + 8 + i * pointer, pointer) for i in range(7)]
            count, text_start = words[0], 0
            names_at, table_at = base + words[2], base + words[6]
            pair, entry_is_offset = 2 * pointer, False
        elif magic == _GO12:
            count, text_start = view.word(base + 8, pointer), 0
            names_at, table_at = base, base + 8 + pointer
            pair, entry_is_offset = 2 * pointer, False
        else:
            raise Unsupported(f"function table of an unknown Go version (magic {magic:#x})")
        if not 0 < count <= MAX_FUNCTIONS:
            raise Corrupt(f"function table claims {count} functions")
        if entry_is_offset and not text_start:
            # Newer linkers leave textStart zero: entries count from the text section.
            text = image.section(".text")
            text_start = text.address if text is not None else 0
        self.count = count
        self.names_at = names_at
        self._section_end = section.offset + section.size
        self._name_limit = self._section_end
        self._read_pairs(table_at, pair, count, text_start, entry_is_offset)
        self._record_offset = table_at if magic in (_GO118, _GO120, _GO116) else base
        self._entry_word = 4 if entry_is_offset else pointer
        self._name_offsets: dict[int, int] | None = None
        self._names: tuple[list[bytes], list[int]] | None = None

    def _read_pairs(
        self, table_at: int, pair: int, count: int, text_start: int, entry_is_offset: bool
    ) -> None:
        view = self.image.view
        length = (count + 1) * pair
        if table_at + length > self._section_end:
            raise Corrupt("function table runs past its section")
        raw = array("I" if pair == 8 or self.pointer_size == 4 else "Q")
        if raw.itemsize != pair // 2:
            raise Unsupported("no array type of the table's word size")
        raw.frombytes(view.window(table_at, length))
        if struct.pack("=H", 1) != b"\x01\x00":
            raw.byteswap()
        entries = raw[0::2]
        self.records = raw[1::2]
        if entry_is_offset:
            self.entries = [text_start + e for e in entries]
        else:
            self.entries = list(entries)
        if any(b < a for a, b in zip(self.entries, self.entries[1:], strict=False)):
            raise Corrupt("function entries are not in order")

    # ------------------------------------------------------------------ lookups

    def function(self, index: int) -> Function:
        return Function(self.name(index), self.entries[index], self.entries[index + 1])

    def name(self, index: int) -> str:
        offset = self._record_name_offset(index)
        raw = self.image.view.cstring(self.names_at + offset, MAX_NAME)
        return raw.decode("utf-8", "replace")

    def index_at(self, address: int) -> int | None:
        """The function whose code holds `address`."""
        index = bisect.bisect_right(self.entries, address) - 1
        if 0 <= index < self.count and address < self.entries[index + 1]:
            return index
        return None

    def with_prefix(self, prefix: str) -> list[Function]:
        """Functions whose name starts with `prefix`, found by searching the name table
        (much faster than decoding every name)."""
        found = []
        for index in self._indexes_of(prefix.encode()):
            found.append(self.function(index))
        return found

    def every(self) -> list[Function]:
        """All functions, names decoded (slower: for when no name prefix is known)."""
        found = []
        for index in range(self.count):
            try:
                found.append(self.function(index))
            except Corrupt:
                continue
        return found

    def lookup(self, names: list[str]) -> dict[str, Function]:
        """The functions called exactly one of `names` (the first of each name)."""
        found: dict[str, Function] = {}
        for name in names:
            for index in self._indexes_of(name.encode() + b"\x00"):
                found[name] = self.function(index)
                break
        return found

    def _indexes_of(self, text: bytes) -> Iterator[int]:
        """Indexes of the functions whose name starts with `text` (a name ending in NUL
        asks for that exact name), in name-table order."""
        exact = text.endswith(b"\x00")
        text = text.rstrip(b"\x00") if exact else text
        names, positions = self._sorted_names()
        found = []
        at = bisect.bisect_left(names, text)
        while at < len(names) and names[at].startswith(text):
            if not exact or names[at] == text:
                found.append(positions[at])
            at += 1
        offsets = self._offsets_by_name()
        for offset in sorted(found):
            yield offsets[offset]

    def _sorted_names(self) -> tuple[list[bytes], list[int]]:
        """Every function's name, sorted, with its offset in the name table, read once:
        one split of the table in C instead of a search of it for every name asked."""
        if self._names is None:
            offsets = self._offsets_by_name()
            view = self.image.view
            valid = [o for o in offsets if o >= 0]
            length = min(max(valid, default=0) + MAX_NAME, self._name_limit - self.names_at)
            blob = bytes(view.window(self.names_at, max(0, length)))
            named: dict[int, bytes] = {}
            position = 0
            for piece in blob.split(b"\x00"):
                if position in offsets:
                    named[position] = piece
                position += len(piece) + 1
            for offset in valid:
                if offset not in named and offset < len(blob):
                    # A name starting inside another one (shared tail): read it alone.
                    stop = blob.find(b"\x00", offset)
                    if stop >= 0:
                        named[offset] = blob[offset:stop]
            pairs = sorted((name, offset) for offset, name in named.items())
            self._names = ([n for n, _ in pairs], [o for _, o in pairs])
        return self._names

    def _record_name_offset(self, index: int) -> int:
        record = self._record_offset + self.records[index]
        return self.image.view.i32(record + self._entry_word)

    def _offsets_by_name(self) -> dict[int, int]:
        if self._name_offsets is None:
            view = self.image.view
            data, at, word = view.data, self._record_offset, self._entry_word
            limit = view.size - word - 4
            unpack = struct.Struct("<i").unpack_from
            offsets: dict[int, int] = {}
            for index, record in enumerate(self.records[: self.count]):
                position = at + record + word
                if 0 <= position <= limit:
                    offsets.setdefault(unpack(data, position)[0], index)
            self._name_offsets = offsets
        return self._name_offsets


def _find_table(image: Image) -> Section:
    section = image.section(".gopclntab")
    if section is not None and section.in_file:
        return section
    # PE keeps the table inside .rdata: look for a header that reads sensibly.
    rodata = image.section(".rodata")
    if rodata is None:
        raise Unsupported("no Go function table")
    view = image.view
    for magic in (_GO120, _GO118, _GO116, _GO12):
        needle = struct.pack("<I", magic) + b"\x00\x00"
        at = view.find(needle, rodata.offset, rodata.offset + rodata.size)
        while at >= 0:
            if at % 4 == 0 and view.u8(at + 6) in (1, 2, 4) and view.u8(at + 7) in (4, 8):
                end = rodata.offset + rodata.size
                return Section(".gopclntab", rodata.address + at - rodata.offset, at, end - at)
            at = view.find(needle, at + 1, rodata.offset + rodata.size)
    raise Unsupported("no Go function table")
