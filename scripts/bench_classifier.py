"""Benchmark batch classification and model training.

Usage: python scripts/bench_classifier.py [--tools N] [--json]

The labelled tools in classifier/data/ are repeated with a numbered suffix on
every name and description until there are N distinct definitions (default
20,000), then labelled with one `classify_many` call. Prints tools per second
for the rules + model in one process and in two (the batch split across two
forked processes), for the rules alone in one process, and the model's training
time. Every figure is the best of --repeat runs; the 1-minute load average is
printed because other work on the machine slows the two-process figure first.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import classifier  # noqa: E402
from classifier.dataset import load_examples  # noqa: E402
from classifier.model import train  # noqa: E402
from mcp_domain import ToolDefinition  # noqa: E402


def make_tools(n: int, run: int = 0) -> list[ToolDefinition]:
    """`n` distinct definitions; each `run` gets names and descriptions no other run saw."""
    base = [e.tool for e in load_examples()]
    tools = []
    for i in range(n):
        t = base[i % len(base)]
        copy = f"{run}_{i // len(base)}"
        tools.append(
            t.model_copy(
                update={"name": f"{t.name}_{copy}", "description": f"{t.description} (v{copy})"}
            )
        )
    return tools


_runs = iter(range(1, 1_000_000))


def _rate(n: int, repeat: int, **kwargs) -> float:
    # Fresh names and descriptions every run: memos keyed by text must not answer
    # from an earlier run (schema fields still repeat, as they do in real batches).
    best = float("inf")
    for _ in range(repeat):
        tools = make_tools(n, next(_runs))
        started = time.perf_counter()
        classifier.classify_many(tools, **kwargs)
        best = min(best, time.perf_counter() - started)
    return n / best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tools", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    train(load_examples(), classifier._engine(), "bench")
    train_seconds = time.perf_counter() - started
    classifier.default_model()  # load or train outside the timed runs
    classifier.classify_many(make_tools(50))
    n = args.tools
    result = {
        "tools": n,
        "cpus": os.cpu_count(),
        "load_average_1m": os.getloadavg()[0],
        "rules_and_model_tools_per_second_1_process": round(_rate(n, args.repeat, workers=1)),
        "rules_and_model_tools_per_second_2_processes": round(_rate(n, args.repeat, workers=2)),
        "rules_only_tools_per_second_1_process": round(
            _rate(n, args.repeat, workers=1, rules_only=True)
        ),
        "train_seconds": round(train_seconds, 2),
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key:<46} {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
