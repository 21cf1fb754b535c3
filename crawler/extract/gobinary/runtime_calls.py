"""The Go runtime calls that every call model follows the same way.

An allocation gives a new object of the type it was made with, so that struct
literals and tables stored into it can be read back; a typed copy copies a
type's size of memory; the write-barrier helpers leave the registers alone.
"""

from __future__ import annotations

from crawler.extract.gobinary import sdk
from crawler.extract.gobinary.amd64 import AX, BX
from crawler.extract.gobinary.machine import Addr, Machine, Value
from crawler.extract.gobinary.types import TypeReader

# Runtime functions that hand back a new object (`new_object`).
ALLOCATIONS = (sdk.NEW_OBJECT, sdk.MAKE_SLICE, sdk.GROW_SLICE)
# How much of the old backing array `growslice` copies into the new one, at most.
MAX_GROWN_COPY = 1 << 20


def runtime_arguments(machine: Machine) -> list[Value | None]:
    """The first five argument words, enough for every runtime call modelled."""
    return [machine.argument(i) for i in range(5)]


def new_object(
    machine: Machine, site: int, name: str, args: list[Value | None]
) -> dict[int, Value] | None:
    """The result of one of the `ALLOCATIONS` calls: the new object, typed when the
    call says its (element) type; `growslice` also keeps the old elements."""
    if name == sdk.NEW_OBJECT:
        kind = args[0].address if isinstance(args[0], Addr) else 0
        made = machine.new_object(kind, "newobject", site)
        return {AX: made} if made else None
    element = args[0] if name == sdk.MAKE_SLICE else args[4]
    kind = element.address if isinstance(element, Addr) else 0
    made = machine.new_object(kind, name.split(".")[-1], site)
    if made is not None and name == sdk.GROW_SLICE:
        machine.copy_memory(made, args[0], MAX_GROWN_COPY)
        return {AX: made, BX: args[1]}
    return {AX: made} if made else None


def typed_copy(
    machine: Machine, types: TypeReader, kind: int, destination: Value | None, source: Value | None
) -> None:
    """A `typedmemmove` of the type described at `kind`: its size of memory, when known."""
    described = types.type_at(kind)
    if described is not None:
        machine.copy_memory(destination, source, described.size)


def allocation(
    machine: Machine, site: int, name: str, types: TypeReader
) -> dict[int, Value] | None:
    """Allocations and typed copies, enough to read struct literals and tables back."""
    args = runtime_arguments(machine)
    if name in ALLOCATIONS:
        return new_object(machine, site, name, args)
    if name in sdk.TYPED_MOVES and isinstance(args[0], Addr):
        typed_copy(machine, types, args[0].address, args[1], args[2])
    return None


class RuntimeCalls:
    """The part every call model shares: the runtime's functions by entry, and which
    of them are write barriers (after those the registers are as they were)."""

    def __init__(self, runtime: dict[int, str]) -> None:
        self.runtime = runtime
        self._barriers = {a for a, n in runtime.items() if n in sdk.WRITE_BARRIERS}

    def keeps_registers(self, target: int) -> bool:
        return target in self._barriers


class AllocatingCalls(RuntimeCalls):
    """A call model that follows the runtime's allocations and typed copies (enough to
    read struct literals and tables back) and hands every other direct call to
    `own_call`; indirect calls are not followed."""

    def __init__(self, runtime: dict[int, str], types: TypeReader) -> None:
        super().__init__(runtime)
        self.types = types

    def call(self, machine: Machine, site: int, target: int | None) -> dict[int, Value] | None:
        if target is None:
            return None
        runtime = self.runtime.get(target)
        if runtime is not None:
            return allocation(machine, site, runtime, self.types)
        return self.own_call(machine, site, target)

    def own_call(self, machine: Machine, site: int, target: int) -> dict[int, Value] | None:
        raise NotImplementedError
