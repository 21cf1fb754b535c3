"""Download each evaluation-corpus package's artifact into the cache dir.

Python: the sdist when the release has one, else a wheel (`pip download --no-deps`).
npm: the published tarball (`npm pack`). Nothing is installed or run; the
artifacts are what scripts/eval_extraction.py feeds the static extractors.
Artifacts stay under the cache dir and are never committed.

    python scripts/fetch_eval_corpus.py [--cache-dir /tmp/mcp-eval] [--server NAME] [--force]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from build_truth import DEFAULT_CACHE, CorpusEntry, load_corpus, select

ARTIFACT_SUFFIXES = (".tar.gz", ".tgz", ".zip", ".whl", ".tar.bz2")
DOWNLOAD_TIMEOUT = 300


def artifact_dir(cache: Path, entry: CorpusEntry) -> Path:
    return cache / "artifacts" / entry.slug


def cached_artifact(cache: Path, entry: CorpusEntry) -> Path | None:
    """The one downloaded artifact of an entry, or None when it was not fetched."""
    folder = artifact_dir(cache, entry)
    if not folder.is_dir():
        return None
    found = sorted(p for p in folder.iterdir() if p.name.endswith(ARTIFACT_SUFFIXES))
    return found[0] if found else None


def fetch(entry: CorpusEntry, cache: Path, force: bool = False) -> tuple[Path | None, str]:
    existing = cached_artifact(cache, entry)
    if existing and not force:
        return existing, "cached"
    folder = artifact_dir(cache, entry)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    if entry.source == "pypi":
        return fetch_pypi(entry, folder)
    if entry.source == "npm":
        return fetch_npm(entry, folder)
    return None, f"unknown source {entry.source!r}"


def fetch_pypi(entry: CorpusEntry, folder: Path) -> tuple[Path | None, str]:
    base = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--disable-pip-version-check",
        "--ignore-requires-python",  # only downloading: the release may want a newer Python
        "-q",
    ]
    spec = f"{entry.name}=={entry.version}"
    # Prefer the sdist: it is the source as written. Wheels only for wheel-only releases.
    attempts = [
        ("sdist", [*base, "--no-binary", ":all:", "-d", str(folder), spec]),
        ("wheel", [*base, "--only-binary", ":all:", "-d", str(folder), spec]),
    ]
    errors = []
    for kind, cmd in attempts:
        ok, err = run_quiet(cmd)
        if ok and cached_artifact(folder.parent.parent, entry):
            return cached_artifact(folder.parent.parent, entry), kind
        errors.append(f"{kind}: {err}")
        for partial in folder.iterdir():
            partial.unlink()
    return None, "; ".join(errors)


def fetch_npm(entry: CorpusEntry, folder: Path) -> tuple[Path | None, str]:
    cmd = [
        "npm",
        "pack",
        "--json",
        "--pack-destination",
        str(folder),
        f"{entry.name}@{entry.version}",
    ]
    with tempfile.TemporaryDirectory() as cwd:
        ok, err = run_quiet(cmd, cwd=cwd)
    artifact = cached_artifact(folder.parent.parent, entry)
    if ok and artifact:
        return artifact, "tarball"
    return None, err


def run_quiet(cmd: list[str], cwd: str | None = None) -> tuple[bool, str]:
    try:
        proc = subprocess.run(
            cmd,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=DOWNLOAD_TIMEOUT,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return False, f"timed out after {DOWNLOAD_TIMEOUT}s"
    if proc.returncode == 0:
        return True, ""
    lines = [
        line
        for line in (proc.stderr or proc.stdout).splitlines()
        if line.strip() and "is ignored" not in line
    ]
    return False, (lines[-1] if lines else f"exit {proc.returncode}")[:300]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    parser.add_argument(
        "--server", action="append", help="only this corpus entry (by name); repeatable"
    )
    parser.add_argument("--force", action="store_true", help="download again even when cached")
    parser.add_argument("--json", action="store_true", help="print the outcome as JSON")
    args = parser.parse_args(argv)

    cache = args.cache_dir.resolve()
    entries = select(load_corpus(), args.server)
    report = {}
    for entry in entries:
        path, how = fetch(entry, cache, args.force)
        report[entry.name] = {"artifact": str(path) if path else None, "detail": how}
        if not args.json:
            shown = path.name if path else f"FAILED {how}"
            print(
                f"{entry.source}:{entry.name}@{entry.version}: {shown}"
                + (f" ({how})" if path else "")
            )
    failed = [name for name, row in report.items() if row["artifact"] is None]
    if args.json:
        print(json.dumps(report, indent=1, sort_keys=True))
    else:
        print(f"\nartifacts: {len(entries) - len(failed)}/{len(entries)} in {cache / 'artifacts'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
