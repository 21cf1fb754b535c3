"""What the walkers of one executable's own functions share (groups.py, defaults.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from crawler.extract.gobinary.image import Image
from crawler.extract.gobinary.machine import Budget
from crawler.extract.gobinary.pclntab import Function
from crawler.extract.gobinary.types import TypeReader


@dataclass(frozen=True)
class Executable:
    image: Image
    types: TypeReader
    # The server's own functions by entry address.
    own: dict[int, Function]
    # Runtime functions the models know, by entry address.
    runtime: dict[int, str]
    function_name: Callable[[int], str | None]
    budget: Budget


class FunctionWalker:
    """Base of the finders that run the machine over an executable's own functions."""

    def __init__(self, executable: Executable) -> None:
        self.image = executable.image
        self.types = executable.types
        self.own = executable.own
        self.runtime = executable.runtime
        self.function_name = executable.function_name
        self.budget = executable.budget
