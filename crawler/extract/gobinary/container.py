"""Tell the container of a compiled file by its first bytes and read its sections."""

from __future__ import annotations

import mmap

from crawler.extract.gobinary.elf import read_elf
from crawler.extract.gobinary.image import Image
from crawler.extract.gobinary.macho import read_macho
from crawler.extract.gobinary.pe import read_pe
from crawler.extract.gobinary.view import Unsupported, View


def open_image(data: bytes | mmap.mmap) -> Image:
    """The file's sections; Corrupt or Unsupported when they cannot be read."""
    view = View(data)
    head = view.bytes(0, min(4, view.size))
    if head == b"\x7fELF":
        return read_elf(view)
    if head == b"\xcf\xfa\xed\xfe":
        return read_macho(view)
    if head[:2] == b"MZ":
        return read_pe(view)
    if head in (b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe"):
        raise Unsupported("32-bit or universal Mach-O")
    raise Unsupported("not an ELF, Mach-O or PE file")
