"""Which named group ("toolset", "category") a tool found in a binary belongs to.

A tool is found in some function of the server's own code. Climbing from that
function through its callers (direct calls, and functions that take its
address as a func value) until one of these shapes is met names its group:
- a method of a type that also has a `...Name()` method returning a constant
  string (`func (t *Toolset) GetName() string { return "helm" }`);
- a table built in a caller that pairs the function's func value (or a closure
  holding it) with a name string, entry after entry at the same stride
  (`[]entry{{addSearchTools, "search"}, {addAlertTools, "alerting"}}`);
- an object with a name receiving the tools: in the caller, the calls that
  build tools are followed by a method call on an object made by `New<T>("repos",
  ...)` or a struct literal of type T whose `Name` field is a constant
  (`NewToolset("repos", ...).AddReadTools(GetRepo(...), ...)`).
Nothing is guessed: a function met with two different group names gives none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from crawler.extract.gobinary.amd64 import AX, BX, RETURN, Undecodable, decode
from crawler.extract.gobinary.executable import Executable, FunctionWalker
from crawler.extract.gobinary.image import Image
from crawler.extract.gobinary.machine import (
    Addr,
    HeapPtr,
    Machine,
    Opaque,
    StackPtr,
    Value,
)
from crawler.extract.gobinary.pclntab import Function
from crawler.extract.gobinary.runtime_calls import AllocatingCalls
from crawler.extract.gobinary.types import STRUCT
from crawler.extract.gobinary.view import Corrupt

# Places (functions) visited while climbing from one tool's function.
MAX_VISITS = 60
# Callers walked to look for tables and named objects, for the whole binary.
MAX_WALKS = 200
# Functions larger than this are not walked for groups.
MAX_WALK_BYTES = 256 * 1024
# Larger `...Name()` methods are not read for a constant result (it stops at the first RET).
MAX_NAME_METHOD_BYTES = 4096
# A group's name: a short identifier-like word (`repos`, `pull_requests`, `kube-config`).
GROUP_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]{0,63}")
# After the package: `(*Type).Method` or `Type.Method` (not a closure `F.func1`).
METHOD = re.compile(r"(?:\(\*(?P<pointer>\w+)\)|(?P<value>\w+))\.(?P<method>\w+)")
# After the package: `NewType`, a constructor of the package's type `Type`.
CONSTRUCTOR = re.compile(r"New(?P<type>[A-Z]\w*)")
_CLOSURE = re.compile(r"func\d+")


@dataclass(frozen=True)
class Named:
    """What a constructor `New<T>("name", ...)` returned."""

    package: str
    type: str
    name: str
    address: int  # where the name's text is


@dataclass
class Walked:
    """What walking one caller showed: the group of each callee it names, and the
    addresses of the group names' texts (used to find the default list)."""

    groups: dict[int, set[str]] = field(default_factory=dict)
    name_addresses: dict[str, int] = field(default_factory=dict)

    def add(self, callee: int, group: str, address: int) -> None:
        self.groups.setdefault(callee, set()).add(group)
        self.name_addresses.setdefault(group, address)


def split_name(name: str) -> tuple[str, str]:
    """`pkg/path` and the rest of a function's name (`(*T).M`, `F`)."""
    slash = name.rfind("/")
    dot = name.find(".", slash + 1)
    return (name[:dot], name[dot + 1 :]) if dot > 0 else ("", name)


def method_of(name: str) -> tuple[str, str, str] | None:
    """(package, receiver type, method) of a method's name, else None."""
    package, rest = split_name(name)
    match = METHOD.fullmatch(rest)
    if not package or match is None or _CLOSURE.fullmatch(match["method"]):
        return None
    return package, match["pointer"] or match["value"], match["method"]


def group_name(text: str | None) -> bool:
    return text is not None and GROUP_NAME.fullmatch(text) is not None


class GroupFinder(FunctionWalker):
    def __init__(
        self, executable: Executable, calls: dict[int, set[int]], loads: dict[int, set[int]]
    ) -> None:
        super().__init__(executable)
        self.callers = _callers(self.image, self.own, calls, loads)
        self._walked: dict[int, Walked] = {}
        self._methods = _methods_by_type(self.own)
        self._type_names: dict[str, tuple[str, int] | None] = {}
        # Functions from which some tool's function is reached (set by `groups`).
        self.leads: set[int] = set()
        # Group name -> where its text is, for every group named.
        self.name_addresses: dict[str, int] = {}

    def groups(self, tool_functions: set[int]) -> dict[int, str | None]:
        """The group of each tool function (None: not found)."""
        self.leads = self._ancestors(tool_functions)
        return {entry: self.group_of(entry) for entry in sorted(tool_functions)}

    def _ancestors(self, entries: set[int]) -> set[int]:
        reached = set(entries)
        frontier = list(entries)
        while frontier and len(reached) < 50_000:
            entry = frontier.pop()
            for caller in self.callers.get(entry, ()):
                if caller not in reached:
                    reached.add(caller)
                    frontier.append(caller)
        return reached

    def group_of(self, entry: int) -> str | None:
        frontier = [entry]
        seen: set[int] = set()
        while frontier and len(seen) < MAX_VISITS:
            current = frontier.pop(0)
            if current in seen:
                continue
            seen.add(current)
            found: set[str] = set()
            for caller in sorted(self.callers.get(current, ())):
                found |= self._walk(caller).groups.get(current, set())
            if len(found) > 1:
                return None  # named twice: which one holds is not known
            if found:
                return found.pop()
            receiver = self._receiver_name(current)
            if receiver is not None:
                return receiver
            frontier.extend(sorted(self.callers.get(current, ())))
        return None

    # ------------------------------------------------------------------ methods

    def _receiver_name(self, entry: int) -> str | None:
        """What a constant `...Name()` method of the same receiver type returns."""
        function = self.own.get(entry)
        method = method_of(function.name) if function is not None else None
        if method is None:
            return None
        key = f"{method[0]}.{method[1]}"
        if key not in self._type_names:
            self._type_names[key] = self._constant_name(self._methods.get(key, []))
        known = self._type_names[key]
        if known is None:
            return None
        self.name_addresses.setdefault(known[0], known[1])
        return known[0]

    def _constant_name(self, methods: list[Function]) -> tuple[str, int] | None:
        for method in methods:
            parts = method_of(method.name)
            if parts is None or not parts[2].endswith("Name"):
                continue
            if method.size > MAX_NAME_METHOD_BYTES:
                continue
            returned = self._returned_string(method)
            if returned is not None:
                return returned
        return None

    def _returned_string(self, method: Function) -> tuple[str, int] | None:
        """The string a leaf method returns at its first RET, when constant."""
        machine = Machine(self.image, method.entry, method.end, _NoCalls(), self.budget)
        try:
            code = self.image.view.window(
                self.image.offset_of(method.entry, method.size), method.size
            )
            pos = 0
            while pos < method.size:
                self.budget.charge()
                insn = decode(code, pos, method.entry + pos)
                if insn.kind == RETURN:
                    pointer, length = machine.regs[AX], machine.regs[BX]
                    text = machine.string(pointer, length)
                    if group_name(text) and isinstance(pointer, Addr):
                        return str(text), pointer.address
                    return None
                machine._step(insn, method.entry + pos)
                pos += insn.length
        except (Undecodable, Corrupt):
            return None
        return None

    # ------------------------------------------------------------------ callers' code

    def _walk(self, caller: int) -> Walked:
        if caller in self._walked:
            return self._walked[caller]
        walked = Walked()
        self._walked[caller] = walked
        function = self.own.get(caller)
        if function is None or function.size > MAX_WALK_BYTES or len(self._walked) > MAX_WALKS:
            return walked
        model = _GroupModel(self, walked)
        machine = Machine(self.image, function.entry, function.end, model, self.budget)
        try:
            machine.run()
        except (Undecodable, Corrupt):
            pass
        self._tables(machine, walked)
        for group, address in walked.name_addresses.items():
            self.name_addresses.setdefault(group, address)
        return walked

    def code_of(self, machine: Machine, value: Value | None) -> int | None:
        """The own function a func value (static, or a closure object) runs."""
        if isinstance(value, Addr):
            word = machine.static_word(value.address)
        elif isinstance(value, (HeapPtr, StackPtr)):
            word = machine.value_at(value, 0)
        else:
            return None
        if isinstance(word, Addr) and word.address in self.own:
            return word.address
        return None

    def _tables(self, machine: Machine, walked: Walked) -> None:
        """Entries pairing a func value with a name, at one stride in one object."""
        regions: dict[int, list[tuple[int, int]]] = {}
        for (region, offset), value in list(machine.memory.items()):
            code = self.code_of(machine, value)
            if code is not None and code in self.leads:
                regions.setdefault(region, []).append((offset, code))
        for region, entries in regions.items():
            entries.sort()
            if len(entries) < 2:
                continue  # one entry is no table of choices
            stride = entries[1][0] - entries[0][0]
            offsets = [offset for offset, _ in entries]
            gaps = {b - a for a, b in zip(offsets, offsets[1:], strict=False)}
            if gaps != {stride} or stride <= 0:
                continue
            names = self._names_beside(machine, region, offsets, stride)
            if names is None:
                continue
            for (_, code), (name, address) in zip(entries, names, strict=True):
                walked.add(code, name, address)

    def _names_beside(
        self, machine: Machine, region: int, offsets: list[int], stride: int
    ) -> list[tuple[str, int]] | None:
        """The one relative position that holds a group name in every entry."""
        found = None
        for delta in range(-stride + 8, stride, 8):
            names = []
            for offset in offsets:
                pointer = machine.memory.get((region, offset + delta))
                length = machine.memory.get((region, offset + delta + 8))
                text = machine.string(pointer, length)
                if not group_name(text) or not isinstance(pointer, Addr):
                    break
                names.append((str(text), pointer.address))
            else:
                if found is not None:
                    return None  # two name columns: which one is the group is not known
                found = names
        return found

    def object_name(
        self, machine: Machine, receiver: Value | None, package: str, type_name: str
    ) -> Named | None:
        """The name of an object of type `type_name`: made by its constructor, or a new
        struct of that type whose `Name` field holds a constant."""
        if isinstance(receiver, Opaque) and isinstance(receiver.payload, Named):
            named = receiver.payload
            return named if (named.package, named.type) == (package, type_name) else None
        if not isinstance(receiver, HeapPtr) or receiver.offset != 0:
            return None
        kind = machine.objects[receiver.obj].type
        described = self.types.type_at(kind) if kind else None
        if described is None or described.kind != STRUCT:
            return None
        if described.name.rsplit(".", 1)[-1] != type_name:
            return None
        name_field = self.types.field_named(kind, "Name")
        if name_field is None:
            return None
        pointer = machine.value_at(receiver, name_field.offset)
        text = machine.string(pointer, machine.value_at(receiver, name_field.offset + 8))
        if not group_name(text) or not isinstance(pointer, Addr):
            return None
        return Named(package, type_name, str(text), pointer.address)


class _NoCalls:
    def call(self, machine: Machine, site: int, target: int | None) -> dict[int, Value] | None:
        return None

    def keeps_registers(self, target: int) -> bool:
        return False


class _GroupModel(AllocatingCalls):
    """Follows a caller's code: allocations (for struct literals and tables), named
    objects, and which tool-leading calls each named object's method receives."""

    def __init__(self, finder: GroupFinder, walked: Walked) -> None:
        super().__init__(finder.runtime, finder.types)
        self.finder = finder
        self.walked = walked
        self.pending: list[int] = []  # tool-leading callees not yet claimed by a group

    def own_call(self, machine: Machine, site: int, target: int) -> dict[int, Value] | None:
        if target not in self.finder.own:
            return None
        name = self.finder.function_name(target) or ""
        package, rest = split_name(name)
        made = CONSTRUCTOR.fullmatch(rest)
        if made is not None:
            text = machine.string(machine.argument(0), machine.argument(1))
            pointer = machine.argument(0)
            if group_name(text) and isinstance(pointer, Addr):
                named = Named(package, made["type"], str(text), pointer.address)
                return {AX: Opaque(named)}
        method = method_of(name)
        if method is not None:
            receiver = machine.argument(0)
            named = self.finder.object_name(machine, receiver, method[0], method[1])
            if named is not None:
                for callee in self.pending:
                    self.walked.add(callee, named.name, named.address)
                self.pending.clear()
                return {AX: receiver}  # methods that add tools hand the object back
        if target in self.finder.leads:
            self.pending.append(target)
        return None


def _callers(
    image: Image, own: dict[int, Function], calls: dict[int, set[int]], loads: dict[int, set[int]]
) -> dict[int, set[int]]:
    """Callee -> the own functions that call it, take its func value or its code's address."""
    callers: dict[int, set[int]] = {}
    for caller, targets in calls.items():
        for target in targets:
            if target in own and target != caller:
                callers.setdefault(target, set()).add(caller)
    for caller, addresses in loads.items():
        for address in addresses:
            if address in own:
                # A closure's code, taken to build the closure object.
                if address != caller:
                    callers.setdefault(address, set()).add(caller)
                continue
            if not image.read_only(address, 8):
                continue
            try:
                code = image.word_at(address)
            except Corrupt:
                continue
            if code in own and code != caller:
                callers.setdefault(code, set()).add(caller)
    return callers


def _methods_by_type(own: dict[int, Function]) -> dict[str, list[Function]]:
    by_type: dict[str, list[Function]] = {}
    for function in own.values():
        method = method_of(function.name)
        if method is not None:
            by_type.setdefault(f"{method[0]}.{method[1]}", []).append(function)
    return by_type
