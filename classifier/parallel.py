"""Split a large batch across forked worker processes (one per core).

The parent labels the first share itself while each forked child labels one of
the others; children inherit the loaded rules, model and tools (nothing is
loaded twice or sent to them) and send their labels back as one JSON document. The
labels do not depend on how a batch is split: features, rule hits and model
scores are per tool. Any failure of a child (it dies, hangs past its time, or
cannot be forked) makes the parent label that share itself, so the result is
always complete and in input order.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence

from pydantic import TypeAdapter

from mcp_domain import Label, ToolDefinition

PARALLEL_MIN = 4_000  # smaller batches: forking costs more than it saves
MAX_WORKERS = 2
# A child that has not answered after this long (plus per tool) is given up on.
TIMEOUT_BASE = 60.0
TIMEOUT_PER_TOOL = 0.005

ClassifyList = Callable[[list[ToolDefinition]], list[Label]]

# What the forked children read: set just before forking, cleared afterwards.
_job: tuple[list[ToolDefinition], ClassifyList] | None = None


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _can_fork() -> bool:
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    if multiprocessing.current_process().daemon:
        return False  # daemonic processes may not have children
    # Forking a process with other threads can copy a lock some thread holds.
    return threading.active_count() == 1


def worth_it(n_tools: int, workers: int | None) -> bool:
    """Whether to split a batch of `n_tools` (`workers` None: decide from the machine)."""
    if workers is not None:
        return workers > 1 and n_tools >= 2 and _can_fork()
    return n_tools >= PARALLEL_MIN and _cpus() >= 2 and _can_fork()


def _shares(n: int, parts: int) -> list[tuple[int, int]]:
    bounds = [n * i // parts for i in range(parts + 1)]
    return [(bounds[i], bounds[i + 1]) for i in range(parts) if bounds[i] < bounds[i + 1]]


# Labels cross the pipe as one JSON document per share: pydantic-core writes and
# reads it without building Python objects in between, much faster than pickling
# the labels or rebuilding them field by field. JSON keeps every value exactly
# (floats are written as their shortest round-tripping form).
_LABELS = TypeAdapter(list[Label])


def _child(conn, start: int, end: int) -> None:
    try:
        assert _job is not None
        tools, classify_list = _job
        conn.send(("ok", _LABELS.dump_json(classify_list(tools[start:end]))))
    except BaseException as exc:  # the parent labels this share itself
        try:
            conn.send(("error", repr(exc)))
        except Exception:
            pass
    finally:
        conn.close()


def classify_split(
    tools: Sequence[ToolDefinition], classify_list: ClassifyList, workers: int | None = None
) -> list[Label] | None:
    """Labels for `tools` from `workers` processes (this one included); None if none forked."""
    global _job
    parts = max(1, min(workers or MAX_WORKERS, _cpus() if workers is None else workers))
    shares = _shares(len(tools), parts)
    if len(shares) < 2:
        return None
    ctx = multiprocessing.get_context("fork")
    tools = list(tools)
    _job = (tools, classify_list)
    children = []
    try:
        for start, end in shares[1:]:
            receiver, sender = ctx.Pipe(duplex=False)
            try:
                proc = ctx.Process(target=_child, args=(sender, start, end), daemon=True)
                proc.start()
            except OSError:
                receiver.close()
                proc = None
            sender.close()
            children.append((proc, receiver, start, end))
    finally:
        _job = None
    if all(proc is None for proc, *_ in children):
        for _proc, receiver, *_ in children:
            receiver.close()
        return None
    start, end = shares[0]
    labels = classify_list(tools[start:end])
    for proc, receiver, start, end in children:
        labels.extend(_collect(proc, receiver, tools[start:end], classify_list))
    return labels


def _collect(proc, receiver, share: list[ToolDefinition], classify_list: ClassifyList):
    """One child's labels, or this share labelled here when the child failed."""
    result = None
    try:
        if proc is not None and receiver.poll(TIMEOUT_BASE + TIMEOUT_PER_TOOL * len(share)):
            status, payload = receiver.recv()
            if status == "ok":
                labels = _LABELS.validate_json(payload)
                if len(labels) == len(share):
                    result = labels
    except (EOFError, OSError, ValueError, TypeError):  # ValidationError is a ValueError
        result = None
    finally:
        receiver.close()
        if proc is not None:
            proc.join(timeout=1.0)
            if proc.is_alive():
                proc.kill()
                proc.join()
    return result if result is not None else classify_list(share)
