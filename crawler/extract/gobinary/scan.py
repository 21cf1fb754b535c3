"""A quick pass over many functions' bytes: which functions each one may call,
and which static addresses it loads with a RIP-relative LEA.

Byte patterns are matched without decoding, so a match can sit inside another
instruction; the result only chooses which functions are worth decoding in
full (a wrong match costs time, never a wrong tool).
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field

from crawler.extract.gobinary.image import Image
from crawler.extract.gobinary.pclntab import Function
from crawler.extract.gobinary.view import Corrupt

# CALL rel32, and LEA r64, [RIP+disp32] (REX.W or REX.WR, opcode 8D, ModRM with mod 00, rm 101).
_CALL_OR_LEA = re.compile(rb"\xe8|[\x48\x4c]\x8d[\x05\x0d\x15\x1d\x25\x2d\x35\x3d]", re.DOTALL)


_REL32 = struct.Struct("<i").unpack_from


@dataclass
class References:
    calls: set[int] = field(default_factory=set)
    loads: set[int] = field(default_factory=set)


def scan_functions(
    image: Image, functions: list[Function], call_targets: set[int]
) -> dict[int, References]:
    """For each function (by entry): the members of `call_targets` it may call, and
    the 8-byte aligned static addresses it takes (candidates for type descriptors)."""
    found: dict[int, References] = {}
    for function, code in _codes(image, functions):
        refs = References()
        size = function.size
        entry, calls, loads = function.entry, refs.calls, refs.loads
        for match in _CALL_OR_LEA.finditer(code):
            at = match.start()
            if code[at] == 0xE8:
                if at + 5 <= size:
                    target = entry + at + 5 + _REL32(code, at + 1)[0]
                    if target in call_targets:
                        calls.add(target)
            elif at + 7 <= size:
                target = entry + at + 7 + _REL32(code, at + 3)[0]
                if not target & 7:
                    loads.add(target)
        found[function.entry] = refs
    return found


# LEA r64, [RIP+disp32] alone, for addresses of any alignment (strings' texts).
_LEA = re.compile(rb"[\x48\x4c]\x8d[\x05\x0d\x15\x1d\x25\x2d\x35\x3d]", re.DOTALL)


def functions_loading(image: Image, functions: list[Function], addresses: set[int]) -> set[int]:
    """Entries of the functions that take one of `addresses` with a RIP-relative LEA."""
    found: set[int] = set()
    for function, code in _codes(image, functions):
        end = function.entry + 7
        for match in _LEA.finditer(code):
            at = match.start()
            if at + 7 <= function.size and end + at + _REL32(code, at + 3)[0] in addresses:
                found.add(function.entry)
                break
    return found


def _codes(image: Image, functions: list[Function]) -> Iterator[tuple[Function, memoryview]]:
    """Each function with its code; one whose bytes lie outside the file is passed over."""
    view = image.view
    for function in functions:
        try:
            code = view.window(image.offset_of(function.entry, function.size), function.size)
        except Corrupt:
            continue
        yield function, code
