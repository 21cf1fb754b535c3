"""The condition under which the default configuration enables each tool found.

Each tool's group comes from groups.py and the default set of groups from
defaults.py; a tool is then `toolset "x" enabled (on by default)` or `(off by
default)`, worded as the source reader words it. When no group is found for a
tool, or the binary names fewer than two groups (one group is no choice the user
makes), its condition stays unset; when no default list is found, the condition
names the group without saying whether it is on.

A tool defined as a package-level variable is found in the package's init
function, which no group reaches; its group is then looked for from the
functions that read the variable (holders.py), and only when they all agree.
"""

from __future__ import annotations

from collections.abc import Callable

from crawler.extract.gobinary.defaults import Candidate, DefaultFinder, choose
from crawler.extract.gobinary.executable import Executable
from crawler.extract.gobinary.groups import GroupFinder
from crawler.extract.gobinary.holders import holder_after, readers
from crawler.extract.gobinary.image import Image
from crawler.extract.gobinary.pclntab import Function
from crawler.extract.gobinary.scan import References, functions_loading

MAX_NAMED_IN_NOTE = 12


def decide(
    executable: Executable,
    scanned: dict[int, References],
    flags: dict[int, str],
    tools: list[tuple[int, int]],
) -> tuple[list[str | None], list[str]]:
    """Per tool, given as (the function it was found in, the site defining it), in the
    order given: its condition or None; and notes."""
    calls = {entry: refs.calls for entry, refs in scanned.items()}
    loads = {entry: refs.loads for entry, refs in scanned.items()}
    image, own = executable.image, executable.own
    finder = GroupFinder(executable, calls, loads)
    kept_in = _readers_of_holders(image, own, scanned, executable.function_name, tools)
    starts = {entry for entry, _ in tools} | {r for found in kept_in for r in found}
    by_function = finder.groups(starts)
    groups = [
        _group(by_function, entry, found) for (entry, _), found in zip(tools, kept_in, strict=True)
    ]
    named = {group for group in groups if group}
    if len(named) < 2:
        return [None] * len(tools), []
    addresses = {finder.name_addresses[g] for g in named if g in finder.name_addresses}
    walked = {entry for entry, refs in scanned.items() if refs.calls & set(flags)}
    walked |= functions_loading(image, list(own.values()), addresses)
    candidates = DefaultFinder(executable, flags).candidates(sorted(walked))
    chosen = choose(candidates, named)
    conditions: list[str | None] = []
    for group in groups:
        if group is None:
            conditions.append(None)
        elif chosen is None:
            conditions.append(f'toolset "{group}" enabled')
        else:
            state = "on" if group in chosen.names else "off"
            conditions.append(f'toolset "{group}" enabled ({state} by default)')
    notes = [_note(named, chosen)]
    return conditions, notes


def _readers_of_holders(
    image: Image,
    own: dict[int, Function],
    scanned: dict[int, References],
    function_name: Callable[[int], str | None],
    tools: list[tuple[int, int]],
) -> list[set[int]]:
    """Per tool: the functions (other than its own) reading the variable its definition
    is copied into."""
    kept: list[int | None] = []
    for entry, site in tools:
        function = own.get(entry)
        kept.append(holder_after(image, function, site, function_name) if function else None)
    read = readers(scanned, {holder for holder in kept if holder is not None})
    return [
        read[holder] - {entry} if holder is not None else set()
        for (entry, _), holder in zip(tools, kept, strict=True)
    ]


def _group(by_function: dict[int, str | None], entry: int, kept_in: set[int]) -> str | None:
    """The group of the tool's own function, else the one group all its readers share."""
    own = by_function.get(entry)
    if own is not None or not kept_in:
        return own
    found = {by_function.get(reader) for reader in kept_in}
    return found.pop() if len(found) == 1 else None  # a reader without a group: None


def _note(named: set[str], chosen: Candidate | None) -> str:
    listed = ", ".join(sorted(named)[:MAX_NAMED_IN_NOTE])
    more = f" and {len(named) - MAX_NAMED_IN_NOTE} more" if len(named) > MAX_NAMED_IN_NOTE else ""
    if chosen is None:
        return (
            f"tools are registered in groups ({listed}{more}) that the configuration turns "
            "on by name; no default list of groups was found, so every group's tools are kept"
        )
    on = ", ".join(sorted(chosen.names & named))
    return (
        f"tools are registered in groups ({listed}{more}); on by default: {on}, "
        f"from {chosen.evidence}; the tools of the others are marked off by default"
    )
