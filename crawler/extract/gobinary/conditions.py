"""The condition under which the default configuration enables each tool found.

Each tool's group comes from groups.py and the default set of groups from
defaults.py; a tool is then `toolset "x" enabled (on by default)` or `(off by
default)`, worded as the source reader words it. When no group is found for a
tool, or the binary names fewer than two groups (one group is no choice the user
makes), its condition stays unset; when no default list is found, the condition
names the group without saying whether it is on.
"""

from __future__ import annotations

from collections.abc import Callable

from crawler.extract.gobinary.defaults import Candidate, DefaultFinder, choose
from crawler.extract.gobinary.groups import GroupFinder
from crawler.extract.gobinary.image import Image
from crawler.extract.gobinary.machine import Budget
from crawler.extract.gobinary.pclntab import Function
from crawler.extract.gobinary.scan import References, functions_loading
from crawler.extract.gobinary.types import TypeReader

MAX_NAMED_IN_NOTE = 12


def decide(
    image: Image,
    types: TypeReader,
    own: dict[int, Function],
    scanned: dict[int, References],
    runtime: dict[int, str],
    flags: dict[int, str],
    function_name: Callable[[int], str | None],
    budget: Budget,
    tool_functions: list[int],
) -> tuple[list[str | None], list[str]]:
    """Per tool function (in the order given): its condition or None; and notes."""
    calls = {entry: refs.calls for entry, refs in scanned.items()}
    loads = {entry: refs.loads for entry, refs in scanned.items()}
    finder = GroupFinder(image, types, own, calls, loads, runtime, function_name, budget)
    groups = finder.groups(set(tool_functions))
    named = {group for group in groups.values() if group}
    if len(named) < 2:
        return [None] * len(tool_functions), []
    addresses = {finder.name_addresses[g] for g in named if g in finder.name_addresses}
    walked = {entry for entry, refs in scanned.items() if refs.calls & set(flags)}
    walked |= functions_loading(image, list(own.values()), addresses)
    candidates = DefaultFinder(image, own, flags, runtime, types, function_name, budget).candidates(
        sorted(walked)
    )
    chosen = choose(candidates, named)
    conditions: list[str | None] = []
    for entry in tool_functions:
        group = groups.get(entry)
        if group is None:
            conditions.append(None)
        elif chosen is None:
            conditions.append(f'toolset "{group}" enabled')
        else:
            state = "on" if group in chosen.names else "off"
            conditions.append(f'toolset "{group}" enabled ({state} by default)')
    notes = [_note(named, chosen)]
    return conditions, notes


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
