"""Where a tool defined as a package-level variable is kept, and who reads it.

`var SearchDashboards = mcpgrafana.MustTool("search_dashboards", ...)` is
compiled into the package's init function: the call that builds the tool is
followed by a copy of its result into the variable's static storage (a typed
move, an unrolled or looped block of 16-byte moves, or one pointer store).
The functions that register the tool (`func AddSearchTools(s) {
SearchDashboards.Register(s) }`) then take that variable's address. Those
readers, not the init function, are where the tool's group is to be found.

Only the few instructions right after the defining call are looked at: up to
the next call that is not a copy or write-barrier helper of the runtime, the
first static address the code writes to or takes for a writable variable is
the holder.
"""

from __future__ import annotations

from collections.abc import Callable

from crawler.extract.gobinary import sdk
from crawler.extract.gobinary.amd64 import (
    CALL,
    CALL_INDIRECT,
    JUMP,
    LEA,
    RETURN,
    RIP,
    STORE,
    XMM_STORE,
    Undecodable,
    decode,
)
from crawler.extract.gobinary.image import Image
from crawler.extract.gobinary.pclntab import Function
from crawler.extract.gobinary.scan import References
from crawler.extract.gobinary.view import Corrupt

# Instructions looked at after the defining call.
MAX_AFTER = 48
# Sections of variables a program writes at run time.
WRITABLE_SECTIONS = (".data", ".noptrdata", ".bss", ".noptrbss")
# Runtime helpers that may sit between the call and the copy of its result.
_COPY_HELPERS = sdk.TYPED_MOVES + sdk.WRITE_BARRIERS
_DUFF = "runtime.duff"


def writable(image: Image, address: int) -> bool:
    """Whether `address` is in a section of package-level variables."""
    for section in image.sections:
        if section.name in WRITABLE_SECTIONS and image.section_contains(section, address):
            return True
    return False


def holder_after(
    image: Image, function: Function, site: int, function_name: Callable[[int], str | None]
) -> int | None:
    """The variable the value made by the call at `site` is copied into, if any."""
    if not function.entry <= site < function.end:
        return None
    try:
        code = image.view.window(image.offset_of(function.entry, function.size), function.size)
        pos = site - function.entry
        first = decode(code, pos, site)
        if first.kind != CALL:
            return None
        pos += first.length
        for _ in range(MAX_AFTER):
            if pos >= function.size:
                return None
            insn = decode(code, pos, function.entry + pos)
            pos += insn.length
            if insn.kind in (RETURN, JUMP, CALL_INDIRECT):
                return None
            if insn.kind == CALL:
                name = function_name(insn.imm) or ""
                if name in _COPY_HELPERS or name.startswith(_DUFF):
                    continue
                return None
            if insn.kind in (LEA, STORE, XMM_STORE) and insn.mem is not None:
                if insn.mem.base == RIP and writable(image, insn.mem.target):
                    return insn.mem.target
    except (Undecodable, Corrupt):
        return None
    return None


def readers(scanned: dict[int, References], holders: set[int]) -> dict[int, set[int]]:
    """Holder -> the functions taking its address (the one filling it among them)."""
    found: dict[int, set[int]] = {holder: set() for holder in holders}
    for entry, refs in scanned.items():
        for holder in refs.loads & holders:
            found[holder].add(entry)
    return found
