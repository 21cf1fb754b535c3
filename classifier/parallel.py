"""Split a large batch across forked worker processes (one per core).

The batch is cut into chunks that this process and its forked children take in
turn from a shared counter, so a process that a busy machine slows simply takes
fewer chunks. Children inherit the loaded rules, model and tools (nothing is
loaded twice or sent to them) and send each chunk's labels back as soon as it is
done, as plain tuples (`pack`), which this process turns back into labels
(`unpack`) between chunks of its own: far cheaper than pickling or validating
pydantic objects, and what is left to unpack when the last chunk is done is one
small chunk, not half the batch (a tail during which the other core would
idle). The labels do not depend on how a batch is split: features, rule hits
and model scores are per tool. Any failure of a child (it dies, hangs past its
time, or cannot be forked) makes this process label the chunks it did not
deliver, so the result is always complete and in input order.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Callable, Sequence
from itertools import starmap

from classifier import trusted
from classifier.combine import LabelParts
from classifier.engine import Quote
from mcp_domain import Category, Label, Risk, ToolDefinition

PARALLEL_MIN = 4_000  # smaller batches: forking costs more than it saves
MAX_WORKERS = 2
# Each chunk is this fraction of what is left per process: the first are large
# (cheap to hand out), the last small (a process idles little waiting for another).
SHARE_DIVISOR = 2
MIN_CHUNK = 200
# A child that has not answered after this long (plus per tool) is given up on.
TIMEOUT_BASE = 60.0
TIMEOUT_PER_TOOL = 0.005
# A child that said it was done and has still not exited after this long is killed.
EXIT_GRACE = 5.0

Packed = tuple  # one label as plain values, see `pack`
ClassifyList = Callable[[list[ToolDefinition]], list[Label]]
ClassifyPacked = Callable[[list[ToolDefinition]], list[Packed]]


class _Job:
    """What the forked children read: set just before forking, cleared afterwards."""

    def __init__(self, tools, classify_list, classify_packed, chunks, ctx) -> None:
        self.tools: list[ToolDefinition] = tools
        self.classify_list: ClassifyList = classify_list
        # Labels straight as `pack` gives them (a child never needs the objects).
        self.classify_packed: ClassifyPacked | None = classify_packed
        self.chunks: list[tuple[int, int]] = chunks
        self._next = ctx.RawValue("i", 0)  # the next chunk to take, shared by all
        self._lock = ctx.Lock()

    def take(self) -> int | None:
        with self._lock:
            k = self._next.value
            if k >= len(self.chunks):
                return None
            self._next.value = k + 1
        return k

    def label(self, k: int) -> list[Label]:
        start, end = self.chunks[k]
        return self.classify_list(self.tools[start:end])

    def packed(self, k: int) -> list[Packed]:
        if self.classify_packed is None:
            return [pack(label) for label in self.label(k)]
        start, end = self.chunks[k]
        return self.classify_packed(self.tools[start:end])


_job: _Job | None = None


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


def _chunks(n: int, parts: int) -> list[tuple[int, int]]:
    """Chunks that shrink as the batch is used up (each a share of what is left), so
    the processes finish close together: the last chunks are small."""
    chunks: list[tuple[int, int]] = []
    start = 0
    while start < n:
        size = max(MIN_CHUNK, (n - start) // (parts * SHARE_DIVISOR))
        if len(chunks) < parts - 1:
            size = min(size, -(-n // parts))  # at least one chunk per process
        end = min(n, start + size)
        chunks.append((start, end))
        start = end
    return chunks


# -- labels as plain values ---------------------------------------------------------
_CATEGORY = {c.value: c for c in Category}
_RISK = {r.value: r for r in Risk}
# Member -> value by a dict lookup (the enum's `value` property runs Python code).
_CATEGORY_VALUE = {c: c.value for c in Category}
_RISK_VALUE = {r: r.value for r in Risk}


def pack(label: Label) -> Packed:
    """A label as strings, numbers and tuples: pickled in C, no pydantic on either side."""
    return _packed(
        label.category,
        label.risk,
        label.confidence,
        label.rationale,
        label.evidence,
        label.flags,
        label.classifier_version,
    )


def pack_parts(parts: LabelParts, version: str) -> Packed:
    """What `pack` gives for the label `combine.label_of(parts, version)` would build."""
    return _packed(*parts, version)


def _packed(category, risk, confidence, rationale, evidence, flags, version) -> Packed:
    return (
        _CATEGORY_VALUE[category],
        _RISK_VALUE[risk],
        confidence,
        rationale,
        # (a Quote is a tuple of these fields already)
        [
            tuple(e) if type(e) is Quote else (e.field, e.text, e.start, e.end, e.supports)
            for e in evidence
        ],
        flags,
        version,
    )


def unpack(row: Packed) -> Label:
    """The label `pack` was given (built unvalidated: a child of this process made it)."""
    category, risk, confidence, rationale, evidence, flags, version = row
    return trusted.label(
        _CATEGORY[category],
        _RISK[risk],
        confidence,
        rationale,
        list(starmap(trusted.evidence, evidence)),
        flags,
        version,
    )


# -- processes ---------------------------------------------------------------------
class _Sender:
    """Sends a child's messages in order from a thread of its own: a chunk's labels
    fill more than a pipe holds, and the child should not wait for this process to
    read them before it takes its next chunk."""

    def __init__(self, conn) -> None:
        self._conn = conn
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (message := self._queue.get()) is not None:
            try:
                self._conn.send(message)
            except Exception:  # this process stopped listening: nothing more to send
                return

    def put(self, message: tuple) -> None:
        self._queue.put(message)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()


def _child(conn) -> None:
    sender = _Sender(conn)
    try:
        assert _job is not None
        while (k := _job.take()) is not None:
            sender.put(("chunk", k, _job.packed(k)))
        sender.put(("done", None, None))
    except BaseException as exc:  # this process labels what the child did not send
        sender.put(("error", None, repr(exc)))
    finally:
        sender.close()
        conn.close()


class _Child:
    """This process's end of one forked child: the chunks it has sent, unpacked."""

    def __init__(self, proc, receiver, chunks: list[tuple[int, int]]) -> None:
        self.proc = proc
        self.receiver = receiver
        self.chunks = chunks
        self.done = proc is None  # no more messages will come
        self.signed_off = False  # it said it was done (or failed) and is exiting
        self.labels: dict[int, list[Label]] = {}

    def take_ready(self) -> None:
        """Unpack the chunks already sent, without waiting for more."""
        try:
            while not self.done and self.receiver.poll(0):
                self._take(self.receiver.recv())
        except (EOFError, OSError, ValueError, TypeError):
            self.done = True

    def take_rest(self, timeout: float) -> None:
        """Unpack chunks until the child says it is done, fails, or `timeout` passes."""
        deadline = time.monotonic() + timeout
        try:
            while not self.done:
                if not self.receiver.poll(max(0.0, deadline - time.monotonic())):
                    break  # hangs: given up on
                self._take(self.receiver.recv())
        except (EOFError, OSError, ValueError, TypeError):
            pass
        finally:
            self.done = True
            self._close()

    def _take(self, message) -> None:
        if not isinstance(message, tuple) or len(message) != 3:
            self.done = True
            return
        status, k, rows = message
        if status != "chunk":
            self.done = True  # "done", or "error": what it did not send is labelled here
            self.signed_off = status in ("done", "error")
        elif isinstance(k, int) and 0 <= k < len(self.chunks) and k not in self.labels:
            chunk = _unpacked(rows, self.chunks[k])
            if chunk is not None:
                self.labels[k] = chunk

    def _close(self) -> None:
        self.receiver.close()
        if self.proc is None:
            return
        if self.signed_off:
            # Not waited for: the kernel takes tens of milliseconds to free a child's
            # memory, and the labels are complete. Reaped by the next batch (or by
            # multiprocessing when this process exits).
            _exiting.append((self.proc, time.monotonic()))
            return
        self.proc.join(timeout=1.0)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()


# Children of earlier batches that said they were done, with when: (process, since).
_exiting: list[tuple] = []


def _reap_exited() -> None:
    """Reap the children of earlier batches that have exited; kill any still there
    EXIT_GRACE seconds after it said it was done."""
    still = []
    for proc, since in _exiting:
        if proc.is_alive():  # (which reaps it if it has exited)
            if time.monotonic() - since < EXIT_GRACE:
                still.append((proc, since))
                continue
            proc.kill()
            proc.join()
    _exiting[:] = still


def classify_split(
    tools: Sequence[ToolDefinition],
    classify_list: ClassifyList,
    workers: int | None = None,
    classify_packed: ClassifyPacked | None = None,
) -> list[Label] | None:
    """Labels for `tools` from `workers` processes (this one included); None if none forked.

    Children use `classify_packed` when given (labels as `pack` gives them)."""
    global _job
    _reap_exited()
    parts = max(1, min(workers or MAX_WORKERS, _cpus() if workers is None else workers))
    chunks = _chunks(len(tools), parts)
    if parts < 2 or len(chunks) < 2:
        return None
    ctx = multiprocessing.get_context("fork")
    job = _job = _Job(list(tools), classify_list, classify_packed, chunks, ctx)
    children: list[_Child] = []
    try:
        for _ in range(parts - 1):
            receiver, sender = ctx.Pipe(duplex=False)
            try:
                proc = ctx.Process(target=_child, args=(sender,), daemon=True)
                proc.start()
            except OSError:
                proc = None
            sender.close()
            children.append(_Child(proc, receiver, chunks))
    finally:
        _job = None
    if all(child.proc is None for child in children):
        for child in children:
            child.receiver.close()
        return None
    labels: list[list[Label] | None] = [None] * len(chunks)
    while (k := job.take()) is not None:
        labels[k] = job.label(k)
        for child in children:
            child.take_ready()  # what the children finished meanwhile
    for child in children:
        child.take_rest(TIMEOUT_BASE + TIMEOUT_PER_TOOL * len(job.tools))
    for child in children:
        for k, chunk in child.labels.items():
            if labels[k] is None:
                labels[k] = chunk
    out: list[Label] = []
    for k, chunk in enumerate(labels):
        out.extend(chunk if chunk is not None else job.label(k))  # a child's lost chunk
    return out


def _unpacked(rows, chunk: tuple[int, int]) -> list[Label] | None:
    """A child's chunk of labels, or None when it is not what was asked for."""
    try:
        if len(rows) == chunk[1] - chunk[0]:
            return [unpack(row) for row in rows]
    except (TypeError, ValueError, KeyError):
        pass
    return None
