"""A compiled file's sections and the mapping from run-time addresses to file offsets.

The container readers (ELF, Mach-O, PE) fill an `Image`; everything after them
reads through it, so the Go readers never see which container they are in.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from crawler.extract.gobinary.view import Corrupt, View

# Sections whose bytes in the file are what the program sees: what is read
# there is a fact, not an initial value the program may have changed.
READ_ONLY_SECTIONS = frozenset(
    {".rodata", ".data.rel.ro", ".typelink", ".itablink", ".gopclntab", ".rdata", ".noptrrodata"}
)


@dataclass(frozen=True)
class Section:
    name: str
    address: int
    offset: int
    size: int
    # False for sections that take memory but no file bytes (.bss).
    in_file: bool = True


@dataclass
class Image:
    view: View
    container: str  # "ELF", "Mach-O", "PE"
    arch: str  # "amd64", "arm64", "386", "arm", ... or "unknown (<machine number>)"
    pointer_size: int
    sections: list[Section] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._mapped = sorted(
            (s for s in self.sections if s.in_file and s.address and s.size),
            key=lambda s: s.address,
        )
        self._starts = [s.address for s in self._mapped]

    def section(self, *names: str) -> Section | None:
        """The first section called one of `names`."""
        for name in names:
            for section in self.sections:
                if section.name == name:
                    return section
        return None

    def offset_of(self, address: int, length: int = 1) -> int:
        """The file offset holding `length` bytes at run-time `address`."""
        index = bisect.bisect_right(self._starts, address) - 1
        if index >= 0:
            section = self._mapped[index]
            delta = address - section.address
            if delta + length <= section.size:
                return section.offset + delta
        raise Corrupt(f"address {address:#x} is in no section of the file")

    def maps(self, address: int, length: int = 1) -> bool:
        try:
            self.offset_of(address, length)
        except Corrupt:
            return False
        return True

    def read_only(self, address: int, length: int = 1) -> bool:
        index = bisect.bisect_right(self._starts, address) - 1
        if index < 0:
            return False
        section = self._mapped[index]
        return (
            section.name in READ_ONLY_SECTIONS
            and address - section.address + length <= section.size
        )

    def word_at(self, address: int) -> int:
        return self.view.word(self.offset_of(address, self.pointer_size), self.pointer_size)

    def bytes_at(self, address: int, length: int) -> bytes:
        return self.view.bytes(self.offset_of(address, length), length)

    def section_contains(self, section: Section | None, address: int) -> bool:
        return section is not None and section.address <= address < section.address + section.size
