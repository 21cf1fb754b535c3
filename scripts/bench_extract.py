"""Benchmark static extraction on local artifacts: packages a second, p95 latency, peak memory.

    python scripts/bench_extract.py DIR_OR_FILES... [--repeat 3] [--workers 1]

Each artifact (sdist, wheel, npm tarball, zip or folder) is unpacked and
extracted `--repeat` times, as the crawler would; the figures cover unpacking
plus extraction, not downloading. With `--workers N` the artifacts are shared
out over N processes (one per core is what a crawler worker would run);
latency is still per package, and peak memory is the largest single process.
CPU time per package is printed too: on a machine shared with other work it
moves far less than wall-clock figures do.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from crawler.archive import ArchiveError, open_package
from crawler.extract.package import extract_package

ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".whl", ".zip")


def artifacts(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        is_package_folder = any(path.glob("package.json")) or any(path.glob("pyproject.toml"))
        if path.is_dir() and not is_package_folder:
            found.extend(sorted(p for p in path.rglob("*") if p.name.endswith(ARCHIVE_SUFFIXES)))
        else:
            found.append(path)
    return found


def extract_one(path: Path) -> tuple[float, int, bool, float, float]:
    """(seconds, tools found, readable, this process's peak RSS in MB, CPU seconds)."""
    started = time.perf_counter()
    cpu_started = time.process_time()
    try:
        tools, readable = len(extract_package(open_package(path)).tools), True
    except ArchiveError:
        tools, readable = 0, False
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cpu = time.process_time() - cpu_started
    return time.perf_counter() - started, tools, readable, peak_mb, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    items = artifacts(args.paths)
    if not items:
        print("no artifacts found", file=sys.stderr)
        return 2
    work = [path for _ in range(args.repeat) for path in items]
    started = time.perf_counter()
    if args.workers > 1:
        with ProcessPoolExecutor(max_workers=args.workers) as pool:
            results = list(pool.map(extract_one, work, chunksize=1))
    else:
        results = [extract_one(path) for path in work]
    elapsed = time.perf_counter() - started

    timings = sorted(r[0] for r in results)
    runs = len(timings)
    p95 = timings[min(runs - 1, int(round(0.95 * (runs - 1))))]
    unreadable = sum(not r[2] for r in results)
    print(f"artifacts: {len(items)} x {args.repeat} runs = {runs} extractions")
    print(f"unreadable archives: {unreadable}")
    print(f"workers: {args.workers}")
    print(f"tools found per run: {sum(r[1] for r in results) // args.repeat}")
    mean_ms = statistics.mean(timings) * 1000
    print(f"throughput: {runs / elapsed:.1f} packages/s (mean latency {mean_ms:.1f} ms)")
    median_ms, p95_ms, max_ms = statistics.median(timings) * 1000, p95 * 1000, timings[-1] * 1000
    print(f"latency: median {median_ms:.1f} ms, p95 {p95_ms:.1f} ms, max {max_ms:.1f} ms")
    cpu_ms = statistics.mean(r[4] for r in results) * 1000
    print(f"cpu: mean {cpu_ms:.1f} ms a package ({1000 / cpu_ms:.1f} packages/s per busy core)")
    print(f"peak memory (max RSS of one process): {max(r[3] for r in results):.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
