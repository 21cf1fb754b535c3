"""Benchmark static extraction on local artifacts: packages a second, p95 latency, peak memory.

    python scripts/bench_extract.py DIR_OR_FILES... [--repeat 3]

Each artifact (sdist, wheel, npm tarball, zip or folder) is unpacked and
extracted `--repeat` times in one process, as the crawler would; the figures
cover unpacking plus extraction, not downloading.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

from crawler.archive import ArchiveError, open_package
from crawler.extract.package import extract_package

ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".whl", ".zip")


def artifacts(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if (
            path.is_dir()
            and not any(path.glob("package.json"))
            and not any(path.glob("pyproject.toml"))
        ):
            found.extend(sorted(p for p in path.rglob("*") if p.name.endswith(ARCHIVE_SUFFIXES)))
        else:
            found.append(path)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    items = artifacts(args.paths)
    if not items:
        print("no artifacts found", file=sys.stderr)
        return 2
    timings: list[float] = []
    tools = 0
    failures = 0
    started = time.perf_counter()
    for _ in range(args.repeat):
        for path in items:
            t0 = time.perf_counter()
            try:
                result = extract_package(open_package(path))
                tools += len(result.tools)
            except ArchiveError:
                failures += 1
            timings.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(round(0.95 * (len(timings) - 1))))]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    runs = len(timings)
    print(
        f"artifacts: {len(items)} x {args.repeat} runs = {runs} extractions, {failures} unreadable"
    )
    print(f"tools found per run: {tools // args.repeat}")
    mean_ms = statistics.mean(timings) * 1000
    print(f"throughput: {runs / elapsed:.1f} packages/s (mean {mean_ms:.1f} ms)")
    print(f"latency: median {statistics.median(timings) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, "
          f"max {timings[-1] * 1000:.1f} ms")  # fmt: skip
    print(f"peak memory (max RSS): {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
