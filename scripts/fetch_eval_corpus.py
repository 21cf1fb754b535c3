"""Download each evaluation-corpus package's artifact into the cache dir.

Python: the sdist when the release has one, else a wheel (`pip download --no-deps`).
npm: the published tarball (`npm pack`). Entries with `repository` and `ref`
(source read from a repository at a release tag, e.g. Go servers whose registry
package only holds a compiled binary): a tar.gz of `git archive <ref>` made from
a local clone of that repository. The clone can be any local git directory, bare
or with a work tree; where to find it is a path template with {owner} and {name},
from --git-clones or the MCP_EVAL_GIT_CLONES environment variable (default
/work/.mirror/{owner}+{name}/repo). Nothing is installed or run; the artifacts are
what scripts/eval_extraction.py feeds the static extractors. Artifacts stay under
the cache dir and are never committed.

    python scripts/fetch_eval_corpus.py [--cache-dir /tmp/mcp-eval] [--server NAME] [--force]
                                        [--git-clones /src/{owner}/{name}]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from build_truth import DEFAULT_CACHE, CorpusEntry, load_corpus, select

ARTIFACT_SUFFIXES = (".tar.gz", ".tgz", ".zip", ".whl", ".tar.bz2")
DOWNLOAD_TIMEOUT = 300
DEFAULT_GIT_CLONES = os.environ.get("MCP_EVAL_GIT_CLONES", "/work/.mirror/{owner}+{name}/repo")


def artifact_dir(cache: Path, entry: CorpusEntry) -> Path:
    return cache / "artifacts" / entry.slug


def cached_artifact(cache: Path, entry: CorpusEntry) -> Path | None:
    """The one downloaded artifact of an entry, or None when it was not fetched."""
    folder = artifact_dir(cache, entry)
    if not folder.is_dir():
        return None
    found = sorted(p for p in folder.iterdir() if p.name.endswith(ARTIFACT_SUFFIXES))
    return found[0] if found else None


def fetch(
    entry: CorpusEntry, cache: Path, force: bool = False, git_clones: str = DEFAULT_GIT_CLONES
) -> tuple[Path | None, str]:
    existing = cached_artifact(cache, entry)
    if existing and not force:
        return existing, "cached"
    folder = artifact_dir(cache, entry)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    if entry.repository:
        return archive_git_ref(entry, folder, git_clones)
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


def archive_git_ref(entry: CorpusEntry, folder: Path, git_clones: str) -> tuple[Path | None, str]:
    """A tar.gz of the entry's repository at its ref, made from a local clone.

    Built from `git ls-tree` and `git cat-file` rather than `git archive` so that a partial
    clone (large blobs left out) still gives the source files; left-out files are reported.
    """
    owner, _, name = (entry.repository or "").partition("/")
    if not owner or not name or not entry.ref:
        return None, "an entry with repository needs 'owner/name' and a ref"
    clone = Path(git_clones.format(owner=owner, name=name))
    if not clone.exists():
        return None, f"no local clone of {entry.repository} at {clone} (see --git-clones)"
    stem = f"{name}-{entry.ref}".replace("/", "_")
    target = folder / f"{stem}.tar.gz"
    git = ["git", "-C", str(clone)]
    try:
        listing = subprocess.run(
            [*git, "ls-tree", "-r", "-z", f"{entry.ref}^{{tree}}"],
            capture_output=True,
            timeout=DOWNLOAD_TIMEOUT,
            check=True,
        ).stdout
        blobs = [row for row in (parse_tree_row(r) for r in listing.split(b"\0")) if row]
        objects = subprocess.run(
            [*git, "cat-file", "--batch"],
            input=b"".join(sha.encode() + b"\n" for _, sha, _ in blobs),
            capture_output=True,
            timeout=DOWNLOAD_TIMEOUT,
            check=True,
        ).stdout
    except (subprocess.SubprocessError, OSError) as exc:
        return None, f"git: {exc}"[:300]
    missing = write_tarball(target, stem, blobs, objects)
    detail = f"git tree {entry.ref}"
    if missing:
        detail += f"; {len(missing)} file(s) absent from the clone: {', '.join(missing[:5])}"
    return target, detail


def parse_tree_row(row: bytes) -> tuple[str, str, str] | None:
    """(mode, sha, path) of a regular file or symlink in `git ls-tree -z` output."""
    meta, _, path = row.partition(b"\t")
    parts = meta.split()
    if len(parts) != 3 or parts[1] != b"blob":
        return None  # submodules and blank rows
    return parts[0].decode(), parts[2].decode(), path.decode("utf-8", "surrogateescape")


def write_tarball(
    target: Path, stem: str, blobs: list[tuple[str, str, str]], objects: bytes
) -> list[str]:
    """Write the blobs read by `git cat-file --batch` into a tar.gz; return the absent paths."""
    missing: list[str] = []
    pos = 0
    with tarfile.open(target, "w:gz") as tar:
        for mode, _sha, path in blobs:
            line_end = objects.index(b"\n", pos)
            header = objects[pos:line_end].split()
            pos = line_end + 1
            if len(header) < 3 or header[1] != b"blob":
                missing.append(path)
                continue
            size = int(header[2])
            data = objects[pos : pos + size]
            pos += size + 1  # content is followed by a newline
            info = tarfile.TarInfo(f"{stem}/{path}")
            if mode == "120000":
                info.type = tarfile.SYMTYPE
                info.linkname = data.decode("utf-8", "surrogateescape")
                tar.addfile(info)
                continue
            info.size = size
            info.mode = 0o755 if mode == "100755" else 0o644
            tar.addfile(info, io.BytesIO(data))
    return missing


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
    parser.add_argument(
        "--git-clones",
        default=DEFAULT_GIT_CLONES,
        help="where local clones of source repositories are: a path with {owner} and {name}",
    )
    args = parser.parse_args(argv)

    cache = args.cache_dir.resolve()
    entries = select(load_corpus(), args.server)
    report = {}
    for entry in entries:
        path, how = fetch(entry, cache, args.force, args.git_clones)
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
