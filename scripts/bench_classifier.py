"""Benchmark batch classification and model training.

Usage: python scripts/bench_classifier.py [--tools N] [--json]

The labelled tools in classifier/data/ are repeated with a numbered suffix on
every name and description until there are N distinct definitions (default
20,000), then labelled with one `classify_many` call. Prints tools per second
for the rules + model and for the rules alone, and the model's training time.
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


def make_tools(n: int) -> list[ToolDefinition]:
    base = [e.tool for e in load_examples()]
    tools = []
    for i in range(n):
        t = base[i % len(base)]
        copy = i // len(base)
        tools.append(
            t.model_copy(
                update={"name": f"{t.name}_{copy}", "description": f"{t.description} (v{copy})"}
            )
        )
    return tools


def _rate(tools: list[ToolDefinition], **kwargs) -> float:
    started = time.perf_counter()
    classifier.classify_many(tools, **kwargs)
    return len(tools) / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tools", type=int, default=20_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    tools = make_tools(args.tools)
    started = time.perf_counter()
    train(load_examples(), classifier._engine(), "bench")
    train_seconds = time.perf_counter() - started
    classifier.default_model()  # load or train outside the timed runs
    classifier.classify_many(tools[:50])
    result = {
        "tools": len(tools),
        "cpus": os.cpu_count(),
        "load_average_1m": os.getloadavg()[0],
        "rules_and_model_tools_per_second": round(_rate(tools)),
        "rules_only_tools_per_second": round(_rate(tools, rules_only=True)),
        "train_seconds": round(train_seconds, 2),
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key:<36} {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
