"""Read the tool definitions compiled into one Go executable, without running it.

Only the main module's own functions are walked (the SDK and the standard
library define no tools): first a byte scan over them finds which ones call
an SDK tool constructor or take the address of a tool struct type, and which
call each other; then those are walked in full, helpers before their callers,
so that a helper taking a tool's name and description as arguments (generic
or not) is understood before the calls to it are read.
"""

from __future__ import annotations

import mmap
from dataclasses import dataclass, field

from crawler.extract.gobinary import conditions, sdk
from crawler.extract.gobinary.amd64 import Undecodable
from crawler.extract.gobinary.buildinfo import BuildInfo, read_build_info
from crawler.extract.gobinary.container import open_image
from crawler.extract.gobinary.defaults import flag_functions
from crawler.extract.gobinary.drafts import Draft, Option, ParamRef
from crawler.extract.gobinary.executable import Executable
from crawler.extract.gobinary.image import Image
from crawler.extract.gobinary.machine import Budget, Machine, OutOfBudget
from crawler.extract.gobinary.model import Signature, ToolModel
from crawler.extract.gobinary.pclntab import Function, FunctionTable
from crawler.extract.gobinary.scan import References, scan_functions
from crawler.extract.gobinary.toolshape import Shapes
from crawler.extract.gobinary.types import TypeReader
from crawler.extract.gobinary.view import Corrupt, Unsupported

# How many helper layers between a call site and an SDK constructor are followed.
MAX_HELPER_DEPTH = 3
# Words in the path of every Go MCP SDK (and of most servers' own modules).
_MCP_WORDS = ("mcp", "modelcontextprotocol")
# How deep option closures that apply other options are followed.
MAX_OPTION_DEPTH = 2
# Functions larger than this are not walked (generated tables, not tool definitions).
MAX_FUNCTION_BYTES = 1 << 20
# Per executable: instructions walked, and seconds. A real server needs tens of thousands.
DEFAULT_STEPS = 1_000_000
DEFAULT_SECONDS = 4.0


@dataclass
class Found:
    """A draft with a known name, and where it was read."""

    draft: Draft
    function: str
    entry: int
    # The configuration that enables the tool (`toolset "x" enabled (off by default)`).
    condition: str | None = None


@dataclass
class BinaryReport:
    """What reading one executable gave. `skip` says why nothing was read."""

    build: BuildInfo | None = None
    arch: str = ""
    container: str = ""
    found: list[Found] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was decided, and from what
    skip: str = ""
    go: bool = False  # the file is a Go program (build info found)


def read_binary(
    data: bytes | mmap.mmap, steps: int = DEFAULT_STEPS, seconds: float = DEFAULT_SECONDS
) -> BinaryReport:
    """Never raises for bad input: a corrupt or unsupported file gives `skip`."""
    report = BinaryReport()
    try:
        image = open_image(data)
        report.arch, report.container = image.arch, image.container
        report.build = read_build_info(image)
        if report.build is None:
            report.skip = "no Go build information (not a Go program)"
            return report
        report.go = True
        if image.arch != "amd64":
            report.skip = f"{image.arch} code is not read yet (only amd64)"
            return report
        if not _may_speak_mcp(report.build):
            report.skip = "no MCP module among the modules it was built from"
            return report
        _Reader(image, report, Budget(steps, seconds)).run()
    except (Corrupt, Unsupported, RecursionError, OverflowError, ValueError) as exc:
        report.skip = f"unreadable: {exc}"
    except OutOfBudget as exc:
        report.problems.append(f"stopped early: {exc}")
    return report


class _Reader:
    def __init__(self, image: Image, report: BinaryReport, budget: Budget) -> None:
        self.image = image
        self.report = report
        self.budget = budget
        build = report.build
        assert build is not None
        self.table = FunctionTable(image)
        self.types = TypeReader(image, build.go_version)
        self.shapes = Shapes(self.types)
        self._names: dict[int, str | None] = {}
        self._applied: dict[int, list[Option] | None] = {}
        self._expanding = 0
        self.signatures: dict[int, Signature] = {}
        self.positional: set[int] = set()

    def run(self) -> None:
        build = self.report.build
        assert build is not None
        own = self._own_functions(build)
        if not own:
            self.report.skip = "no functions of the main module found"
            return
        runtime = {
            f.entry: name for name, f in self.table.lookup(list(sdk.RUNTIME_FUNCTIONS)).items()
        }
        constructors = self._constructors()
        by_entry = {f.entry: f for f in own}
        flags = flag_functions(self.table)
        scanned = scan_functions(self.image, own, set(constructors) | set(by_entry) | set(flags))
        self.budget.charge(sum(f.size for f in own) // 64)
        heights = self._heights(scanned, set(constructors))
        wrappers = _callers_within(scanned, set(constructors), MAX_HELPER_DEPTH)
        self.runtime, self.constructors, self.by_entry = runtime, constructors, by_entry
        model = self._model()
        learned: dict[str, int] = {}  # generic function -> an instantiation already read
        for entry in sorted(heights, key=lambda e: (heights[e], e)):
            function = by_entry[entry]
            helpers = set(self.signatures) | self.positional
            if heights[entry] > 1 and not scanned[entry].calls & helpers:
                continue  # its callees turned out not to be helpers
            generic = function.name.split("[", 1)[0] if "[" in function.name else ""
            sibling = learned.get(generic) if generic else None
            if sibling is not None:
                # Instantiations of one generic helper pass their arguments on alike.
                self._copy_helper(sibling, entry)
                continue
            found = len(self.report.found)
            self._walk(function, model)
            if generic and entry in self.signatures:
                learned[generic] = entry
            if (
                entry in wrappers
                and entry not in self.signatures
                and len(self.report.found) == found
                and _named_as_tool_helper(function.name)
            ):
                # A tool helper whose arguments could not be followed to the SDK call:
                # its callers' first two strings are taken as name and description.
                self.positional.add(entry)
        if self.report.found:
            self._conditions(scanned, flags)

    def _conditions(self, scanned: dict[int, References], flags: dict[int, str]) -> None:
        """Which tools the default configuration enables (see conditions.py)."""
        found = self.report.found
        try:
            executable = Executable(
                self.image, self.types, self.by_entry, self.runtime, self.function_name, self.budget
            )
            tools = [(f.entry, f.draft.site) for f in found]
            decided, notes = conditions.decide(executable, scanned, flags, tools)
        except OutOfBudget as exc:
            self.report.problems.append(f"which tools are on by default was not decided: {exc}")
            return
        for one, condition in zip(found, decided, strict=True):
            one.condition = condition
        self.report.notes += notes

    def _copy_helper(self, sibling: int, entry: int) -> None:
        if sibling in self.signatures:
            self.signatures[entry] = self.signatures[sibling]
        if sibling in self.positional:
            self.positional.add(entry)

    def _model(self) -> ToolModel:
        return ToolModel(
            self.types,
            self.shapes,
            self.function_name,
            self.constructors,
            self.signatures,
            self.runtime,
            self.options_applied_by,
            self.positional,
        )

    def options_applied_by(self, code: int) -> list[Option] | None:
        """The options a closure of the server's own code applies when called: its code is
        walked (once per function, a few levels deep at most)."""
        if code in self._applied:
            return self._applied[code]
        function = self.by_entry.get(code)
        if function is None or self._expanding >= MAX_OPTION_DEPTH:
            return None
        self._applied[code] = None  # a closure that applies itself gives nothing
        self._expanding += 1
        try:
            model = self._model()
            machine = Machine(self.image, function.entry, function.end, model, self.budget)
            try:
                machine.run()
            except (Undecodable, Corrupt):
                pass
        finally:
            self._expanding -= 1
        self._applied[code] = list(model.applied)
        return self._applied[code]

    def _own_functions(self, build: BuildInfo) -> list[Function]:
        """The server's own functions: its main module's, found by name prefix. A program
        built from files (`go build main.go`) names no main module: then the modules it
        lists as local copies, else every function outside the standard library and the
        dependencies the build info lists."""
        modules = [build.module] if build.module else build.local_modules
        if modules:
            candidates = self.table.with_prefix("main.")
            for module in modules:
                candidates += self.table.with_prefix(module + ".")
                candidates += self.table.with_prefix(module + "/")
        else:
            candidates = [f for f in self.table.every() if _outside(f.name, build.dependencies)]
        found = {f.entry: f for f in candidates if 0 < f.size <= MAX_FUNCTION_BYTES}
        return [found[e] for e in sorted(found)]

    def _constructors(self) -> dict[int, sdk.Constructor]:
        found: dict[int, sdk.Constructor] = {}
        for constructor in sdk.CONSTRUCTORS:
            if constructor.generic:
                functions = self.table.with_prefix(constructor.name + "[")
            else:
                functions = list(self.table.lookup([constructor.name]).values())
            for function in functions:
                found[function.entry] = constructor
        return found

    def _heights(self, scanned: dict[int, References], constructors: set[int]) -> dict[int, int]:
        """1 for functions that call a constructor or take a tool type's address; n for those
        calling a function of height n - 1 (up to the helper depth)."""
        heights: dict[int, int] = {}
        for entry, refs in scanned.items():
            if refs.calls & constructors or any(self._tool_type(a) for a in refs.loads):
                heights[entry] = 1
        frontier = set(heights)
        for height in range(2, MAX_HELPER_DEPTH + 2):
            reached = {
                e for e, refs in scanned.items() if refs.calls & frontier and e not in frontier
            }
            for entry in reached:
                heights[entry] = height
            frontier = reached
            if not frontier:
                break
        return heights

    def _tool_type(self, address: int) -> bool:
        if not self.image.read_only(address, 48):
            return False
        return self.shapes.holds_tools(address)

    def _walk(self, function: Function, model: ToolModel) -> None:
        machine = Machine(self.image, function.entry, function.end, model, self.budget)
        before = len(model.drafts)
        try:
            machine.run()
        except Undecodable as exc:
            self.report.problems.append(f"{function.name}: {exc}")
        except Corrupt as exc:
            self.report.problems.append(f"{function.name}: {exc}")
        model.finish(machine)
        fresh = model.drafts[before:]
        named: set[str] = set()
        for draft in fresh:
            if isinstance(draft.name, str):
                if draft.name in named:
                    continue  # the same literal read again after it was copied
                named.add(draft.name)
            if isinstance(draft.name, ParamRef):
                self._learn_signature(function, draft)
            else:
                self.report.found.append(Found(draft, function.name, function.entry))
        model.map_keys.clear()

    def _learn_signature(self, function: Function, draft: Draft) -> None:
        if function.entry in self.signatures:
            return
        assert isinstance(draft.name, ParamRef)
        description = draft.description
        self.signatures[function.entry] = Signature(
            name_arg=draft.name.index,
            description_arg=description.index if isinstance(description, ParamRef) else None,
            generic="[" in function.name,
            draft=draft,
        )

    def function_name(self, address: int) -> str | None:
        """The name of the function starting exactly at `address`."""
        if address in self._names:
            return self._names[address]
        index = self.table.index_at(address)
        name = None
        if index is not None and self.table.entries[index] == address:
            try:
                name = self.table.name(index)
            except Corrupt:
                name = None
        self._names[address] = name
        return name


def _outside(name: str, dependencies: list[str]) -> bool:
    """Whether a function belongs to neither the standard library nor a dependency."""
    if name.startswith("main."):
        return True
    if name.startswith(("type:", "go:")):
        return False  # compiler-made helpers
    base = name.split("[", 1)[0]  # type arguments may name any package
    head = base.split("/", 1)[0] if "/" in base else base.split(".", 1)[0]
    if "." not in head:
        return False  # the standard library's first path element has no dot
    return not any(name.startswith((dep + ".", dep + "/")) for dep in dependencies)


def _callers_within(scanned: dict[int, References], targets: set[int], depth: int) -> set[int]:
    """Functions that call one of `targets` directly or through at most `depth` - 1 others."""
    reached: set[int] = set()
    frontier = set(targets)
    for _ in range(depth):
        frontier = {e for e, refs in scanned.items() if refs.calls & frontier} - reached
        if not frontier:
            break
        reached |= frontier
    return reached


def _named_as_tool_helper(name: str) -> bool:
    """`MustTool`, `newTool`, `(*Registry).AddTool`: the function's own name says tool."""
    short = name.split("[", 1)[0].rsplit("/", 1)[-1].split(".", 1)[-1]
    return "tool" in short.lower() and "tools" not in short.lower()


def _may_speak_mcp(build: BuildInfo) -> bool:
    """Whether the program was built with an MCP module (an SDK, or its own module is one).
    A build that lists no modules at all cannot tell, so it is read."""
    modules = [build.module, *build.dependencies]
    if not any(modules):
        return True
    return any(word in module.lower() for module in modules for word in _MCP_WORDS)
