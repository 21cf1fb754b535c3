"""Splitting a batch across processes: labels packed and unpacked intact, chunks
covering the batch, and a child that fails or dies costs time, never labels."""

from __future__ import annotations

import multiprocessing
import os
import time

import pytest

import classifier
from classifier import parallel
from classifier.dataset import load_examples

needs_fork = pytest.mark.skipif(not parallel._can_fork(), reason="needs fork and one thread")


def _tools(n: int = 600):
    return [e.tool for e in load_examples()[:n]]


def _dump(labels) -> list[str]:
    return [label.model_dump_json() for label in labels]


def test_packed_labels_come_back_equal():
    labels = classifier.classify_many(_tools(), workers=1)
    again = [parallel.unpack(parallel.pack(label)) for label in labels]
    assert again == labels
    assert _dump(again) == _dump(labels)
    assert any(label.evidence for label in again)


@pytest.mark.parametrize("n", [2, 7, 250, 999, 20_000])
def test_chunks_cover_the_batch_in_order(n):
    chunks = parallel._chunks(n, 2)
    assert chunks[0][0] == 0 and chunks[-1][1] == n
    assert all(a[1] == b[0] and a[0] < a[1] for a, b in zip(chunks, chunks[1:], strict=False))
    assert 2 <= len(chunks) <= 40  # one at least for each process; few
    if n >= 2 * parallel.MIN_CHUNK:
        assert all(b - a >= parallel.MIN_CHUNK for a, b in chunks[:-1])
        assert chunks[0][1] - chunks[0][0] > chunks[-2][1] - chunks[-2][0]  # shrinking


@needs_fork
@pytest.mark.parametrize("failure", ["raises", "dies"])
def test_a_failing_child_leaves_its_chunks_to_the_parent(failure):
    tools = _tools()
    parent = os.getpid()

    def flaky(batch):
        if os.getpid() != parent:
            if failure == "dies":
                os._exit(3)
            raise RuntimeError("the child fails")
        return classifier._classify_list(batch)

    split = parallel.classify_split(tools, flaky, workers=2)
    assert split is not None
    assert _dump(split) == _dump(classifier.classify_many(tools, workers=1))


def test_a_worker_packs_what_the_labels_would_pack():
    tools = _tools() + [_tools(1)[0].model_copy(update={"input_schema": {"type": 3}})]
    packed = classifier._classify_list(tools, packed=True)
    assert packed == [parallel.pack(label) for label in classifier._classify_list(tools)]


@needs_fork
def test_a_child_that_signed_off_is_reaped_by_a_later_batch_not_waited_for():
    tools = _tools(300)
    split = parallel.classify_split(tools, classifier._classify_list, workers=2)
    assert split is not None
    assert _dump(split) == _dump(classifier.classify_many(tools, workers=1))
    # Left to exit on its own; the next batch (here: its first step) reaps it.
    assert [proc for proc, _since in parallel._exiting]
    deadline = time.monotonic() + 30
    while parallel._exiting and time.monotonic() < deadline:
        time.sleep(0.01)
        parallel._reap_exited()
    assert parallel._exiting == []
    assert multiprocessing.active_children() == []
