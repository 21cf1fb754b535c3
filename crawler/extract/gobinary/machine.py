"""Follow values through one function's amd64 code, statically.

The walk is a linear sweep from the entry to the end (Go lays out a function's
code contiguously), keeping what is known about each register, each 8-byte
stack slot and each object the function allocates: a constant, a static
address (a string in read-only data, a type descriptor, code), a pointer into
the stack frame or into a new object, or the function's own arguments. Calls
are handed to a `CallModel`, which sees the arguments in Go's register ABI
(AX, BX, CX, DI, SI, R8, R9, R10, R11) and says what the call returns; after
any other call the registers are unknown. Branches are not followed: where
paths join, the last value written along the sweep wins, which suits the
straight-line code that builds tool definitions.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

from crawler.extract.gobinary.amd64 import (
    ADD_IMM,
    BRANCH,
    CALL,
    CALL_INDIRECT,
    LEA,
    LOAD,
    LOAD_IMM,
    MOVE,
    NO_REG,
    NOT_ZERO,
    OTHER,
    RIP,
    SP,
    STORE,
    STORE_IMM,
    XMM_LOAD,
    XMM_MOVE,
    XMM_STORE,
    ZERO,
    Instruction,
    Mem,
    decode,
)
from crawler.extract.gobinary.image import Image
from crawler.extract.gobinary.view import Corrupt

# Go's integer argument and result registers, in order.
ARGUMENT_REGISTERS = (0, 3, 1, 7, 6, 8, 9, 10, 11)
_ZERO_XMM = 15  # Go keeps X15 zero in its own calling convention
_STACK = -1
_MASKS = {1: 0xFF, 2: 0xFFFF, 4: 0xFFFFFFFF, 8: 0xFFFFFFFFFFFFFFFF}
MAX_STRING = 256 * 1024
MAX_OBJECTS = 10_000
MAX_STATIC_COPY = 64 * 1024
# Loop iterations followed in one function, all loops together.
MAX_REPEATS = 4096


@dataclass(frozen=True, slots=True)
class Const:
    value: int


@dataclass(frozen=True, slots=True)
class Addr:
    """A static address: read-only data, a type descriptor, a function."""

    address: int


@dataclass(frozen=True, slots=True)
class StackPtr:
    offset: int


@dataclass(frozen=True, slots=True)
class HeapPtr:
    obj: int
    offset: int = 0


@dataclass(frozen=True, slots=True)
class ParamPtr:
    """The function's own argument `index` (0 is AX), plus `offset` when used as a pointer."""

    index: int
    offset: int = 0


@dataclass(frozen=True, slots=True)
class Opaque:
    """A value a call model made up, e.g. the option an SDK function returned."""

    payload: object


Value = Const | Addr | StackPtr | HeapPtr | ParamPtr | Opaque
# What a slot holds after something unknown was stored there.
UNKNOWN = Opaque(None)


@dataclass
class HeapObject:
    id: int
    type: int  # the descriptor's address, 0 when unknown
    made_by: str  # "newobject", "makemap", "growslice", ...
    site: int

    @property
    def zeroed(self) -> bool:
        """Whether the runtime hands this object out zeroed, all of it ours to fill."""
        return self.made_by in ("newobject", "makeslice")


class OutOfBudget(Exception):
    """The reader used up the steps it was allowed for one binary."""


class Budget:
    """Steps (instructions walked) and wall-clock seconds allowed for one binary."""

    _CLOCK_EVERY = 4096

    def __init__(self, steps: int, seconds: float) -> None:
        self.left = steps
        self.deadline = time.monotonic() + seconds
        self._until_clock = self._CLOCK_EVERY

    def charge(self, steps: int = 1) -> None:
        self.left -= steps
        if self.left < 0:
            raise OutOfBudget("step budget used up")
        self._until_clock -= steps
        if self._until_clock <= 0:
            self._until_clock = self._CLOCK_EVERY
            if time.monotonic() > self.deadline:
                raise OutOfBudget("time budget used up")


class CallModel(Protocol):
    def call(self, machine: Machine, site: int, target: int | None) -> dict[int, Value] | None:
        """Results of the call at `site` to `target` (None: an indirect call), by register."""
        ...

    def keeps_registers(self, target: int) -> bool:
        """Whether a call leaves the registers as they were (the write-barrier helpers)."""
        ...


class Machine:
    def __init__(self, image: Image, entry: int, end: int, model: CallModel, budget: Budget):
        self.image = image
        self.entry, self.end = entry, end
        self.model = model
        self.budget = budget
        self.regs: list[Value | None] = [None] * 16
        for index, register in enumerate(ARGUMENT_REGISTERS):
            self.regs[register] = ParamPtr(index)
        self.xmm: list[tuple[Value | None, Value | None]] = [(None, None)] * 16
        self.xmm[_ZERO_XMM] = (Const(0), Const(0))
        self.memory: dict[tuple[int, int], Value] = {}
        self.objects: list[HeapObject] = []

    # ------------------------------------------------------------------ running

    def run(self) -> None:
        """Walk the function; Undecodable or OutOfBudget stop it."""
        size = self.end - self.entry
        code = self.image.view.window(self.image.offset_of(self.entry, size), size)
        pos = 0
        counter = NO_REG  # the register the previous instruction counted down, if any
        repeats = 0
        while pos < size:
            self.budget.charge()
            insn = decode(code, pos, self.entry + pos)
            self._step(insn, self.entry + pos)
            pos += insn.length
            if insn.kind == BRANCH and counter != NO_REG and repeats < MAX_REPEATS:
                # A counted loop (`dec reg; jnz back`), as the compiler emits for copying a
                # literal's template: run it as many times as the counter says.
                left = self.regs[counter]
                back = insn.imm - self.entry
                if insn.reg == NOT_ZERO and 0 <= back < pos and isinstance(left, Const):
                    if left.value:
                        pos = back
                        repeats += 1
            counter = insn.reg if insn.kind == ADD_IMM else NO_REG

    def _step(self, insn: Instruction, site: int) -> None:
        kind, regs = insn.kind, self.regs
        if kind == OTHER:
            for register in insn.writes:
                regs[register] = None
            for register in insn.xmm_writes:
                if register != _ZERO_XMM:
                    self.xmm[register] = (None, None)
            if insn.mem_written and insn.mem is not None:
                self._forget(insn.mem)
        elif kind == LEA:
            regs[insn.reg] = self.address_of(insn.mem)
        elif kind == LOAD:
            regs[insn.reg] = _narrow(self.load(insn.mem), insn.width)
        elif kind == STORE:
            self.store(insn.mem, _narrow(regs[insn.reg], insn.width))
        elif kind == MOVE:
            regs[insn.reg] = _narrow(regs[insn.src], insn.width)
        elif kind in (LOAD_IMM, ZERO):
            regs[insn.reg] = Const(insn.imm if kind == LOAD_IMM else 0)
        elif kind == STORE_IMM:
            self.store(insn.mem, Const(insn.imm & _MASKS.get(insn.width, _MASKS[8])))
        elif kind == ADD_IMM:
            regs[insn.reg] = _narrow(shift(regs[insn.reg], insn.imm), insn.width)
        elif kind == XMM_LOAD:
            self.xmm[insn.reg] = (self.load(insn.mem), self.load(insn.mem, 8))
        elif kind == XMM_STORE:
            low, high = self.xmm[insn.reg]
            self.store(insn.mem, low)
            self.store(insn.mem, high, 8)
        elif kind == XMM_MOVE:
            if insn.reg != _ZERO_XMM:
                self.xmm[insn.reg] = self.xmm[insn.src]
        elif kind in (CALL, CALL_INDIRECT):
            self._call(insn, site)

    def _call(self, insn: Instruction, site: int) -> None:
        target = insn.imm if insn.kind == CALL else None
        if target is not None and self.model.keeps_registers(target):
            self.regs[11] = None  # the write barrier hands back its buffer in R11
            return
        results = self.model.call(self, site, target) or {}
        self.regs = [None] * 16
        for register, value in results.items():
            self.regs[register] = value
        self.xmm = [(None, None)] * 16
        self.xmm[_ZERO_XMM] = (Const(0), Const(0))

    # ------------------------------------------------------------------ memory

    def location(self, mem: Mem | None, extra: int = 0) -> tuple[int, int] | None:
        """(region, offset) of a memory operand that points into tracked memory."""
        if mem is None or mem.index != NO_REG:
            return None
        if mem.base == SP:
            return _STACK, mem.disp + extra
        if mem.base in (RIP, NO_REG):
            return None
        return self.region_of(self.regs[mem.base], mem.disp + extra)

    def region_of(self, pointer: Value | None, offset: int = 0) -> tuple[int, int] | None:
        if isinstance(pointer, StackPtr):
            return _STACK, pointer.offset + offset
        if isinstance(pointer, HeapPtr):
            return pointer.obj, pointer.offset + offset
        if isinstance(pointer, ParamPtr):
            return -2 - pointer.index, pointer.offset + offset
        return None

    def address_of(self, mem: Mem | None) -> Value | None:
        if mem is None or mem.index != NO_REG:
            return None
        if mem.base == RIP:
            return Addr(mem.target)
        if mem.base == SP:
            return StackPtr(mem.disp)
        if mem.base == NO_REG:
            return Const(mem.disp)
        return shift(self.regs[mem.base], mem.disp)

    def load(self, mem: Mem | None, extra: int = 0) -> Value | None:
        if mem is None:
            return None
        if mem.base == RIP and mem.index == NO_REG:
            return self.static_word(mem.target + extra)
        place = self.location(mem, extra)
        if place is not None:
            return self.memory.get(place)
        base = self.regs[mem.base] if 0 <= mem.base < 16 else None
        if isinstance(base, Addr) and mem.index == NO_REG:
            return self.static_word(base.address + mem.disp + extra)
        return None

    def store(self, mem: Mem | None, value: Value | None, extra: int = 0) -> None:
        place = self.location(mem, extra)
        if place is not None:
            # An unknown value is kept as such: the slot is no longer zero.
            self.memory[place] = UNKNOWN if value is None else value

    def _forget(self, mem: Mem) -> None:
        place = self.location(mem)
        if place is not None:
            self.memory[place] = UNKNOWN

    def value_at(self, pointer: Value | None, offset: int = 0) -> Value | None:
        """The 8-byte value stored at `pointer + offset`, when known. A new object's
        memory is zero until something is stored there."""
        if isinstance(pointer, Addr):
            return self.static_word(pointer.address + offset)
        place = self.region_of(pointer, offset)
        if place is None:
            return None
        found = self.memory.get(place)
        if found is None and isinstance(pointer, HeapPtr) and self.objects[pointer.obj].zeroed:
            return Const(0)
        return found

    def static_word(self, address: int) -> Value | None:
        """A word of read-only data, as a static address (or None)."""
        if not self.image.read_only(address, 8):
            return None
        try:
            return Addr(self.image.word_at(address))
        except Corrupt:
            return None

    def new_object(self, type_address: int, made_by: str, site: int) -> HeapPtr | None:
        if len(self.objects) >= MAX_OBJECTS:
            return None
        obj = HeapObject(len(self.objects), type_address, made_by, site)
        self.objects.append(obj)
        return HeapPtr(obj.id)

    def copy_memory(self, destination: Value | None, source: Value | None, size: int) -> None:
        """What a typed copy (typedmemmove, wbMove) does to tracked memory. A copy from
        read-only data (the compiler's template for a composite literal) copies its words."""
        to, start = self.region_of(destination), self.region_of(source)
        if to is None or size <= 0:
            return
        if isinstance(source, Addr):
            for offset in range(0, min(size, MAX_STATIC_COPY), 8):
                word = self.static_word(source.address + offset)
                if word is None:
                    break
                self.memory[(to[0], to[1] + offset)] = word
            return
        if start is None:
            return
        for (region, offset), value in list(self.memory.items()):
            if region == start[0] and start[1] <= offset < start[1] + size:
                self.memory[(to[0], to[1] + offset - start[1])] = value

    # ------------------------------------------------------------------ reading values

    def argument(self, index: int) -> Value | None:
        return self.regs[ARGUMENT_REGISTERS[index]] if index < len(ARGUMENT_REGISTERS) else None

    def string(self, pointer: Value | None, length: Value | None) -> str | None:
        """The text of a Go string whose data pointer and length are both known."""
        count = _integer(length)
        if count == 0 and isinstance(pointer, (Addr, Const)):
            return ""
        if not isinstance(pointer, Addr) or count is None or not 0 < count <= MAX_STRING:
            return None
        try:
            raw = self.image.bytes_at(pointer.address, count)
        except Corrupt:
            return None
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def string_at(self, pointer: Value | None, offset: int = 0) -> str | None:
        """The Go string header (data, length) stored at `pointer + offset`."""
        return self.string(self.value_at(pointer, offset), self.value_at(pointer, offset + 8))


def _integer(value: Value | None) -> int | None:
    """A number: a constant, or a word of static data (which may be a number or an address)."""
    if isinstance(value, Const):
        return value.value
    if isinstance(value, Addr):
        return value.address
    return None


def _narrow(value: Value | None, width: int) -> Value | None:
    if width == 8 or value is None:
        return value
    return Const(value.value & _MASKS[width]) if isinstance(value, Const) else None


def shift(value: Value | None, delta: int) -> Value | None:
    if isinstance(value, StackPtr):
        return StackPtr(value.offset + delta)
    if isinstance(value, HeapPtr):
        return HeapPtr(value.obj, value.offset + delta)
    if isinstance(value, ParamPtr):
        return ParamPtr(value.index, value.offset + delta)
    if isinstance(value, Addr):
        return Addr(value.address + delta)
    if isinstance(value, Const):
        return Const((value.value + delta) & _MASKS[8])
    return None
