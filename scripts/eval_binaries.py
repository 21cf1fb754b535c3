"""Score the compiled-binary reader on executables against scripts/eval/truth.jsonl.

Each argument pairs a file with the truth row it is scored against:

    python scripts/eval_binaries.py PATH=SOURCE:NAME==VERSION ... [--json] [--show-extra]

PATH is an executable or a package archive (sdist, wheel, npm tarball); either
way it goes through crawler.extract.package.extract_package, as the crawler
runs it (an executable alone is treated as a package holding just that file).
Printed per file: tool-name recall and precision, and over the tools found
under the right name, the exact description rate (whitespace-normalised, by
sha256, as in eval_extraction.py) and the exact top-level property-name rate;
plus the seconds taken and the verdict. The truth is the server's default
`tools/list`: tools the reader marks off by default (a condition ending in
"(off by default)", as eval_extraction.py counts them) are left out of the
comparison and counted apart; tools compiled in but off by default that the
reader could not tell apart count as extra.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from build_truth import description_hash, read_truth  # noqa: E402
from eval_extraction import OFF_BY_DEFAULT, property_names, ratio  # noqa: E402

from crawler.archive import open_package  # noqa: E402
from crawler.extract.package import extract_package  # noqa: E402
from crawler.files import PackageFiles  # noqa: E402

ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".whl", ".zip", ".tar")


def parse_pair(text: str) -> tuple[Path, tuple[str, str, str]]:
    file, _, rest = text.partition("=")
    source, _, named = rest.partition(":")
    name, _, version = named.partition("==")
    if not (file and source and name and version):
        raise argparse.ArgumentTypeError(f"expected PATH=SOURCE:NAME==VERSION, got {text!r}")
    return Path(file), (source, name, version)


def load(path: Path) -> PackageFiles:
    if path.is_dir() or path.name.endswith(ARCHIVE_SUFFIXES):
        return open_package(path)
    return PackageFiles(files={path.name: path.read_bytes()})


def score(path: Path, truth: dict[str, Any]) -> dict[str, Any]:
    package = load(path)
    started = time.perf_counter()
    result = extract_package(package)
    seconds = time.perf_counter() - started
    want = {t["name"]: t for t in truth["tools"]}
    got = {}
    off = 0
    for tool in result.tools:
        if (tool.condition or "").endswith(OFF_BY_DEFAULT):
            off += 1
            continue
        got.setdefault(tool.name, tool)
    matched = sorted(set(want) & set(got))
    descriptions = sum(
        description_hash(got[n].description) == want[n]["description_sha256"] for n in matched
    )
    properties = sum(property_names(got[n].input_schema) == want[n]["properties"] for n in matched)
    return {
        "file": str(path),
        "server": f"{truth['source']}:{truth['name']}=={truth['version']}",
        "truth": len(want),
        "found": len(got),
        "off_by_default": off,
        "matched": len(matched),
        "recall": ratio(len(matched), len(want)),
        "precision": ratio(len(matched), len(got)),
        "descriptions": ratio(descriptions, len(matched)),
        "properties": ratio(properties, len(matched)),
        "seconds": round(seconds, 3),
        "completeness": result.completeness.value,
        "missing": sorted(set(want) - set(got)),
        "extra": sorted(set(got) - set(want)),
        "notes": result.notes,
    }


def pct(value: float | None) -> str:
    return "  -   " if value is None else f"{100 * value:5.1f}%"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pairs", nargs="+", type=parse_pair, metavar="PATH=SOURCE:NAME==VERSION")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--show-extra", action="store_true", help="list missing and extra names")
    args = parser.parse_args(argv)
    truth = read_truth()
    rows = []
    for path, key in args.pairs:
        row = truth.get(key)
        if row is None:
            print(f"no truth row for {key}", file=sys.stderr)
            return 2
        rows.append(score(path, row))
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    print(f"{'server':45} {'truth':>5} {'found':>5} {'off':>4} {'recall':>7} {'prec':>7} "
          f"{'desc':>7} {'props':>7} {'secs':>6}  verdict")  # fmt: skip
    for r in rows:
        print(
            f"{r['server'][:45]:45} {r['truth']:5} {r['found']:5} {r['off_by_default']:4} "
            f"{pct(r['recall']):>7} "
            f"{pct(r['precision']):>7} {pct(r['descriptions']):>7} {pct(r['properties']):>7} "
            f"{r['seconds']:6.2f}  {r['completeness']}"
        )
        if args.show_extra:
            print(f"   - {', '.join(r['missing'])}\n   + {', '.join(r['extra'])}")
            for note in r["notes"]:
                print(f"   note: {note[:200]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
