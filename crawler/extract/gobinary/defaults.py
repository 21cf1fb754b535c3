"""Which tool groups a binary enables by default, read from its flag defaults and lists.

Two places give the default set, as in the source reader (crawler/extract/go/toolsets.py):
- the default of a string or string-list flag (`flag.StringVar(&c.tools, "enabled-tools",
  "search,alerting", ...)`, pflag's `StringSlice("toolsets", []string{...}, ...)`): in
  the binary the default is an argument of the flag registration call;
- the same, inlined: `flag.StringVar` compiles to a store of the default into the
  variable and a call of `(*FlagSet).Var` with the variable as the flag's value, so
  for a `Var` call the string the value points at is read;
- a `[]string{"core", "config"}` literal built in code (a default configuration).
Among the candidates, the one naming most of the groups found is taken, and only when
at least two of its entries are groups and they are at least half of it. Only the
functions that call a flag registration function or that load a group name's text are
walked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crawler.extract.gobinary.amd64 import Undecodable
from crawler.extract.gobinary.executable import Executable, FunctionWalker
from crawler.extract.gobinary.groups import group_name
from crawler.extract.gobinary.machine import (
    ARGUMENT_REGISTERS,
    Addr,
    Const,
    Machine,
    Value,
)
from crawler.extract.gobinary.pclntab import FunctionTable
from crawler.extract.gobinary.runtime_calls import AllocatingCalls
from crawler.extract.gobinary.view import Corrupt

# Packages whose flag registration calls are read: the standard library's and pflag
# (which cobra uses), by function and method name.
FLAG_PACKAGES = ("flag", "github.com/spf13/pflag")
STRING_FLAGS = tuple(
    base + suffix
    for base in ("String", "StringSlice", "StringArray")
    for suffix in ("", "Var", "P", "VarP")
)
# Registrations of a flag given as a `Value`: the default is what the value points at.
VALUE_FLAGS = ("Var", "VarP", "VarPF")
# Functions walked for defaults, at most.
MAX_WALKS = 120
MAX_WALK_BYTES = 256 * 1024
MAX_LIST = 64
_LISTY = re.compile(r"Slice|Array")


@dataclass(frozen=True)
class Candidate:
    """A list of names that may be the default set, and where it was read."""

    names: frozenset[str]
    evidence: str


def flag_functions(table: FunctionTable) -> dict[int, str]:
    """Entry -> short name of the string flag registration functions in the binary."""
    wanted = []
    for package in FLAG_PACKAGES:
        for short in STRING_FLAGS + VALUE_FLAGS:
            wanted += [f"{package}.{short}", f"{package}.(*FlagSet).{short}"]
    found = table.lookup(wanted)
    return {function.entry: name.rsplit(".", 1)[-1] for name, function in found.items()}


class DefaultFinder(FunctionWalker):
    def __init__(self, executable: Executable, flags: dict[int, str]) -> None:
        super().__init__(executable)
        self.flags = flags

    def candidates(self, functions: list[int]) -> list[Candidate]:
        found: list[Candidate] = []
        for entry in sorted(set(functions))[:MAX_WALKS]:
            function = self.own.get(entry)
            if function is None or function.size > MAX_WALK_BYTES:
                continue
            model = _FlagModel(self)
            machine = Machine(self.image, function.entry, function.end, model, self.budget)
            try:
                machine.run()
            except (Undecodable, Corrupt):
                pass
            found += model.found
            found += _string_arrays(machine, function.name)
        return found


def choose(candidates: list[Candidate], groups: set[str]) -> Candidate | None:
    """The candidate naming most of `groups` (at least two, and half of its entries)."""
    best: Candidate | None = None
    best_hits = 0
    for candidate in candidates:
        hits = len(candidate.names & groups)
        if hits >= 2 and 2 * hits >= len(candidate.names) and hits > best_hits:
            best, best_hits = candidate, hits
    return best


class _FlagModel(AllocatingCalls):
    def __init__(self, finder: DefaultFinder) -> None:
        super().__init__(finder.runtime, finder.types)
        self.finder = finder
        self.found: list[Candidate] = []

    def own_call(self, machine: Machine, site: int, target: int) -> dict[int, Value] | None:
        short = self.finder.flags.get(target)
        if short is None:
            return None
        words = [machine.argument(i) for i in range(len(ARGUMENT_REGISTERS))]
        for index in range(len(words) - 1):
            name = machine.string(words[index], words[index + 1])
            if isinstance(words[index], Addr) and group_name(name):
                if short in VALUE_FLAGS:
                    # The word before the name is the value's data pointer.
                    names = _names_in(machine.string_at(words[index - 1])) if index else []
                else:
                    names = _default_after(machine, words[index + 2 :], bool(_LISTY.search(short)))
                if names:
                    evidence = f"the default of the flag {name!r}"
                    self.found.append(Candidate(frozenset(names), evidence))
                break
        return None


def _default_after(machine: Machine, words: list[Value | None], listy: bool) -> list[str]:
    """The names a flag's default gives: a comma-separated string, or a string slice."""
    if len(words) < 2:
        return []
    if not listy:
        return _names_in(machine.string(words[0], words[1]))
    if len(words) < 3 or not isinstance(words[1], Const) or words[1] != words[2]:
        return []
    count = words[1].value
    if not 0 < count <= MAX_LIST:
        return []
    names = []
    for index in range(count):
        text = machine.string_at(words[0], 16 * index)
        if text is None:
            return []
        names.append(text.strip())
    return [n for n in names if n]


def _names_in(text: str | None) -> list[str]:
    """The names of a comma-separated default (`"search,alerting"`)."""
    if not text or " " in text.strip():
        return []
    return [part.strip() for part in text.split(",") if part.strip()]


def _string_arrays(machine: Machine, where: str) -> list[Candidate]:
    """Runs of string headers at a 16-byte stride in one object: `[]string{...}` literals."""
    regions: dict[int, dict[int, str]] = {}
    for (region, offset), value in list(machine.memory.items()):
        if not isinstance(value, Addr):
            continue
        text = machine.string(value, machine.memory.get((region, offset + 8)))
        if group_name(text):
            regions.setdefault(region, {})[offset] = str(text)
    found = []
    for texts in regions.values():
        starts = [o for o in texts if o - 16 not in texts]
        for start in starts:
            names = []
            offset = start
            while offset in texts and len(names) < MAX_LIST:
                names.append(texts[offset])
                offset += 16
            if len(names) >= 2:
                found.append(Candidate(frozenset(names), f"a string list built in {where}"))
    return found
