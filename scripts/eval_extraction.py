"""Measure the static extractors against the ground truth in scripts/eval/truth.jsonl.

For each corpus entry with truth, the cached artifact (see fetch_eval_corpus.py)
is opened with crawler.archive.open_package and run through
crawler.extract.package.extract_package. Reported per server and in total:
tool-name recall and precision, and over the tools found under the right name,
the description exact-match rate (whitespace-normalised, compared by sha256)
and the top-level input-schema property match rate. Totals are counted over
tools (micro), once over all servers and once over the servers whose tools are
defined in their own package.

    python scripts/eval_extraction.py [--json] [--server NAME] [--cache-dir /tmp/mcp-eval]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from build_truth import (
    DEFAULT_CACHE,
    TRUTH_PATH,
    CorpusEntry,
    description_hash,
    load_corpus,
    read_truth,
    select,
)
from fetch_eval_corpus import cached_artifact

REPO_ROOT = Path(__file__).resolve().parent.parent
EXTRACT_TIMEOUT = 180.0


@dataclass
class ServerScore:
    name: str
    version: str
    source: str
    language: str
    shape: str
    tools_in_package: bool
    truth_tools: int = 0
    extracted_tools: int = 0
    matched: int = 0
    description_matches: int = 0
    property_matches: int = 0
    off_by_default: int = 0
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    completeness: str = ""
    notes: list[str] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0

    @property
    def recall(self) -> float | None:
        return ratio(self.matched, self.truth_tools)

    @property
    def precision(self) -> float | None:
        return ratio(self.matched, self.extracted_tools)

    def as_dict(self) -> dict[str, Any]:
        row = asdict(self)
        row.update(
            recall=self.recall,
            precision=self.precision,
            description_match_rate=ratio(self.description_matches, self.matched),
            property_match_rate=ratio(self.property_matches, self.matched),
        )
        return row


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# ---------------------------------------------------------------- extraction (in a child process)


def extract_in_child(artifact: str, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    """Runs the extractors in a separate process so a hang or a crash costs one server only."""
    sys.path.insert(0, str(REPO_ROOT))
    try:
        from crawler.archive import open_package
        from crawler.extract.package import extract_package

        result = extract_package(open_package(Path(artifact)))
        tools = [
            {
                "name": t.name,
                "description": t.description,
                "input_schema": t.input_schema,
                "condition": t.condition or "",
            }
            for t in result.tools
        ]
        completeness = getattr(result.completeness, "value", str(result.completeness))
        queue.put({"tools": tools, "completeness": completeness, "notes": list(result.notes)})
    except BaseException as exc:  # report any failure of the extractors as this server's error
        lines = traceback.format_exception_only(type(exc), exc)
        queue.put({"error": "".join(lines).strip()[:500]})


def run_extraction(artifact: Path, timeout: float) -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=extract_in_child, args=(str(artifact), queue), daemon=True)
    proc.start()
    try:
        return queue.get(timeout=timeout)
    except Exception:
        return {"error": f"extraction gave no answer within {timeout:.0f}s"}
    finally:
        proc.join(5)
        if proc.is_alive():
            proc.kill()
            proc.join()


# ---------------------------------------------------------------- scoring


OFF_BY_DEFAULT = "(off by default)"


def score_server(
    entry: CorpusEntry, truth: dict[str, Any], extracted: dict[str, Any]
) -> ServerScore:
    score = ServerScore(
        entry.name, entry.version, entry.source, entry.language, entry.shape, entry.tools_in_package
    )
    truth_tools = {t["name"]: t for t in truth["tools"]}
    score.truth_tools = len(truth_tools)
    if "error" in extracted:
        score.error = extracted["error"]
        score.missing = sorted(truth_tools)
        return score
    found: dict[str, dict[str, Any]] = {}
    # The truth is the default configuration, so tools the extractor knows are off by
    # default are left out of the comparison (and counted apart).
    for tool in extracted["tools"]:
        if tool.get("condition", "").endswith(OFF_BY_DEFAULT):
            score.off_by_default += 1
            continue
        found.setdefault(
            tool["name"], tool
        )  # the first definition of a name wins, as in tools/list
    score.extracted_tools = len(found)
    score.completeness = extracted.get("completeness", "")
    score.notes = extracted.get("notes", [])
    score.missing = sorted(set(truth_tools) - set(found))
    score.extra = sorted(set(found) - set(truth_tools))
    for name in sorted(set(truth_tools) & set(found)):
        score.matched += 1
        want, got = truth_tools[name], found[name]
        if description_hash(got.get("description")) == want["description_sha256"]:
            score.description_matches += 1
        if property_names(got.get("input_schema")) == want["properties"]:
            score.property_matches += 1
    return score


def property_names(schema: Any) -> list[str]:
    props = schema.get("properties") if isinstance(schema, dict) else None
    return sorted(props) if isinstance(props, dict) else []


def totals(scores: list[ServerScore]) -> dict[str, Any]:
    truth = sum(s.truth_tools for s in scores)
    extracted = sum(s.extracted_tools for s in scores)
    matched = sum(s.matched for s in scores)
    return {
        "servers": len(scores),
        "errors": sum(1 for s in scores if s.error),
        "servers_with_full_recall": sum(
            1 for s in scores if s.truth_tools and s.matched == s.truth_tools
        ),
        "truth_tools": truth,
        "extracted_tools": extracted,
        "off_by_default": sum(s.off_by_default for s in scores),
        "matched": matched,
        "recall": ratio(matched, truth),
        "precision": ratio(matched, extracted),
        "description_match_rate": ratio(sum(s.description_matches for s in scores), matched),
        "property_match_rate": ratio(sum(s.property_matches for s in scores), matched),
    }


def group_totals(
    scores: list[ServerScore], key: Callable[[ServerScore], str]
) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[ServerScore]] = {}
    for score in scores:
        groups.setdefault(key(score), []).append(score)
    return {name: totals(group) for name, group in sorted(groups.items())}


# ---------------------------------------------------------------- output


def pct(value: float | None) -> str:
    return "   -  " if value is None else f"{100 * value:5.1f}%"


def print_report(scores: list[ServerScore], summary: dict[str, Any]) -> None:
    columns = ("truth", "found", "recall", "prec", "desc", "props")
    widths = (5, 5, 7, 7, 7, 7)
    header = (
        f"{'server':48} "
        + " ".join(f"{c:>{w}}" for c, w in zip(columns, widths, strict=True))
        + "  verdict"
    )
    print(header)
    print("-" * len(header))
    for s in scores:
        label = f"{s.name}{'' if s.tools_in_package else ' (remote)'}"[:48]
        verdict = f"ERROR {s.error.splitlines()[-1][:80]}" if s.error else s.completeness
        desc = ratio(s.description_matches, s.matched)
        props = ratio(s.property_matches, s.matched)
        cells = (
            s.truth_tools,
            s.extracted_tools,
            pct(s.recall),
            pct(s.precision),
            pct(desc),
            pct(props),
        )
        print(
            f"{label:48} "
            + " ".join(f"{c:>{w}}" for c, w in zip(cells, widths, strict=True))
            + f"  {verdict}"
        )
    print()
    for key, title in (
        ("all", "all servers"),
        ("tools_in_package", "servers defining their own tools"),
        ("readable_source", "servers defining their own tools in readable source"),
    ):
        t = summary[key]
        print(
            f"{title}: {t['servers']} servers ({t['errors']} errors, "
            f"{t['servers_with_full_recall']} with full recall); tools truth {t['truth_tools']}, "
            f"found {t['extracted_tools']} (+{t['off_by_default']} off by default), "
            f"matched {t['matched']}; "
            f"recall {pct(t['recall']).strip()}, precision {pct(t['precision']).strip()}, "
            f"descriptions {pct(t['description_match_rate']).strip()}, "
            f"properties {pct(t['property_match_rate']).strip()}"
        )
    for key in ("by_language", "by_shape"):
        print(f"\n{key.replace('_', ' ')}:")
        for name, t in summary[key].items():
            print(
                f"  {name:20} {t['servers']:3} servers  recall {pct(t['recall'])}  "
                f"precision {pct(t['precision'])}  "
                f"descriptions {pct(t['description_match_rate'])}  "
                f"properties {pct(t['property_match_rate'])}"
            )
    differing = [s for s in scores if s.missing or s.extra]
    if differing:
        print("\nmissing (-) and extra (+) tool names:")
        for s in differing:
            print(f"  {s.name}")
            if s.missing:
                print(f"    - {', '.join(s.missing)}")
            if s.extra:
                print(f"    + {', '.join(s.extra)}")
    if summary["skipped"]:
        print("\nnot evaluated: " + "; ".join(f"{k}: {v}" for k, v in summary["skipped"].items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    parser.add_argument(
        "--server", action="append", help="only this corpus entry (by name); repeatable"
    )
    parser.add_argument("--truth", type=Path, default=TRUTH_PATH)
    parser.add_argument(
        "--timeout", type=float, default=EXTRACT_TIMEOUT, help="seconds per package"
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)

    cache = args.cache_dir.resolve()
    truth = read_truth(args.truth)
    scores: list[ServerScore] = []
    skipped: dict[str, str] = {}
    for entry in select(load_corpus(), args.server):
        row = truth.get((entry.source, entry.name, entry.version))
        if row is None:
            skipped[entry.name] = "no truth row (build_truth.py did not list it)"
            continue
        artifact = cached_artifact(cache, entry)
        if artifact is None:
            skipped[entry.name] = "no artifact (run scripts/fetch_eval_corpus.py)"
            continue
        started = time.monotonic()
        score = score_server(entry, row, run_extraction(artifact, args.timeout))
        score.seconds = round(time.monotonic() - started, 2)
        scores.append(score)

    summary = {
        "all": totals(scores),
        "tools_in_package": totals([s for s in scores if s.tools_in_package]),
        # Compiled binaries (Go servers shipped as executables) have no source to read.
        "readable_source": totals(
            [s for s in scores if s.tools_in_package and s.shape != "binary"]
        ),
        "by_language": group_totals(scores, lambda s: s.language),
        "by_shape": group_totals(scores, lambda s: s.shape),
        "skipped": skipped,
    }
    if args.json:
        print(json.dumps({"servers": [s.as_dict() for s in scores], "totals": summary}, indent=1))
    else:
        print_report(scores, summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
