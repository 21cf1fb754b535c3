"""Benchmark batch classification and model training.

Usage: python scripts/bench_classifier.py [--tools N] [--repeat R] [--json]

The labelled tools in classifier/data/ are repeated with a numbered suffix on
every name and description until there are N distinct definitions (default
20,000), then labelled with one `classify_many` call. Prints tools per second
for the rules + model in one process and in two (the batch split across two
forked processes), for the rules alone in one process, for the model alone
(scoring a batch whose features and rule hits are already computed), the
model's training time and the peak resident memory of this process and of its
forked children. Every rate is given as the best and the median of --repeat
runs; the 1-minute load average is printed because other work on the machine
slows the two-process figure first. Runs of the whole classifier also give the
rate per CPU-second (median) of the process and, with two processes, of its
forked child too, which other work on the machine disturbs less.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import classifier  # noqa: E402
from classifier.dataset import load_examples  # noqa: E402
from classifier.features import extract_features  # noqa: E402
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


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # children reaped so far
    return usage.ru_utime + usage.ru_stime


def _rates(n: int, repeat: int, **kwargs) -> dict[str, int]:
    # Fresh names and descriptions every run: memos keyed by text must not answer
    # from an earlier run (schema fields still repeat, as they do in real batches).
    seconds, cpu = [], []
    for _ in range(repeat):
        tools = make_tools(n, next(_runs))
        started, cpu_started = time.perf_counter(), time.process_time() + _children_cpu()
        classifier.classify_many(tools, **kwargs)
        seconds.append(time.perf_counter() - started)
        cpu.append(time.process_time() + _children_cpu() - cpu_started)
    rates = _summary(n, seconds)
    # CPU time of this process and its forked children: what the run costs when it
    # gets whole cores (other work on the machine disturbs it less than the clock).
    rates["cpu"] = round(n / statistics.median(cpu))
    return rates


def _model_rates(n: int, repeat: int) -> dict[str, int]:
    """The model's share: scoring a batch whose features and rule hits are ready."""
    model = classifier.default_model()
    engine = classifier._engine()
    seconds = []
    for _ in range(repeat):
        features = [extract_features(t) for t in make_tools(n, next(_runs))]
        hits = [engine.run(f) for f in features]
        started = time.perf_counter()
        model.score_batch(features, hits)
        seconds.append(time.perf_counter() - started)
    return _summary(n, seconds)


def _summary(n: int, seconds: list[float]) -> dict[str, int]:
    return {"best": round(n / min(seconds)), "median": round(n / statistics.median(seconds))}


def _peak_rss_mb(who: int) -> float:
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)  # Linux reports KiB


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tools", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    train(load_examples(), classifier._engine(), "bench")
    train_seconds = time.perf_counter() - started
    classifier.default_model()  # load or train outside the timed runs
    classifier.classify_many(make_tools(50))
    n = args.tools
    result: dict[str, object] = {
        "tools": n,
        "cpus": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "rules_and_model_tools_per_second_1_process": _rates(n, args.repeat, workers=1),
        "rules_and_model_tools_per_second_2_processes": _rates(n, args.repeat, workers=2),
        "rules_only_tools_per_second_1_process": _rates(n, args.repeat, workers=1, rules_only=True),
        "model_only_tools_per_second_1_process": _model_rates(n, args.repeat),
        "train_seconds": round(train_seconds, 2),
        "peak_rss_mb": _peak_rss_mb(resource.RUSAGE_SELF),
        "peak_rss_mb_largest_child": _peak_rss_mb(resource.RUSAGE_CHILDREN),
        "load_average_1m_after": round(os.getloadavg()[0], 2),
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            if isinstance(value, dict):
                cpu = f"  {value['cpu']:>7} per CPU-second" if "cpu" in value else ""
                value = f"{value['best']:>7} best  {value['median']:>7} median{cpu}"
            print(f"{key:<46} {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
