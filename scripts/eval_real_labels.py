"""Compare the classifier with a reviewer's labels on the tools of real MCP servers.

Usage: python scripts/eval_real_labels.py [--cache-dir /tmp/mcp-eval] [--json]

scripts/eval/real_labels.jsonl holds facts only, one tool a line:
{"package", "tool", "category", "risk"}, labelled by the taxonomy as a careful
security reviewer would. The tools are extracted statically from the cached
artifacts of scripts/fetch_eval_corpus.py (never run), classified, and
compared: category agreement, risk agreement, and each disagreement with the
classifier's rationale. A labelled tool the extraction does not find, or an
extracted tool with no label, is listed too.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_truth import DEFAULT_CACHE, load_corpus  # noqa: E402
from fetch_eval_corpus import cached_artifact  # noqa: E402

from classifier import classify_many  # noqa: E402
from crawler.archive import open_package  # noqa: E402
from crawler.extract.package import extract_package  # noqa: E402

LABELS = Path(__file__).resolve().parent / "eval" / "real_labels.jsonl"


def load_labels(path: Path = LABELS) -> dict[str, dict[str, dict[str, str]]]:
    """package -> tool -> {"category", "risk"}."""
    labels: dict[str, dict[str, dict[str, str]]] = defaultdict(dict)
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.strip():
            row = json.loads(line)
            labels[row["package"]][row["tool"]] = {"category": row["category"], "risk": row["risk"]}
    return labels


def compare(cache: Path) -> dict:
    labels = load_labels()
    corpus = {entry.name: entry for entry in load_corpus()}
    rows, missing, unlabelled, skipped = [], [], [], {}
    for package, wanted in labels.items():
        entry = corpus.get(package)
        artifact = cached_artifact(cache, entry) if entry is not None else None
        if artifact is None:
            skipped[package] = "no cached artifact (run scripts/fetch_eval_corpus.py)"
            continue
        tools = {t.name: t for t in extract_package(open_package(artifact)).tools}
        missing += [f"{package} {name}" for name in wanted if name not in tools]
        unlabelled += [f"{package} {name}" for name in tools if name not in wanted]
        names = [n for n in wanted if n in tools]
        for name, label in zip(names, classify_many([tools[n] for n in names]), strict=True):
            rows.append(
                {
                    "package": package,
                    "tool": name,
                    "true_category": wanted[name]["category"],
                    "true_risk": wanted[name]["risk"],
                    "category": str(label.category),
                    "risk": str(label.risk),
                    "rationale": label.rationale,
                }
            )
    n = max(len(rows), 1)
    return {
        "tools": len(rows),
        "category_agreement": sum(r["category"] == r["true_category"] for r in rows) / n,
        "risk_agreement": sum(r["risk"] == r["true_risk"] for r in rows) / n,
        "disagreements": [
            r for r in rows if (r["category"], r["risk"]) != (r["true_category"], r["true_risk"])
        ],
        "labelled_not_extracted": missing,
        "extracted_not_labelled": unlabelled,
        "skipped_packages": skipped,
    }


def format_text(report: dict) -> str:
    out = [
        f"{report['tools']} labelled tools of real servers",
        f"category agreement {100 * report['category_agreement']:.1f}%, "
        f"risk agreement {100 * report['risk_agreement']:.1f}%",
    ]
    if report["disagreements"]:
        out += ["", "disagreements (reviewer -> classifier):"]
        for r in report["disagreements"]:
            out.append(
                f"  {r['package']} {r['tool']}: {r['true_category']}/{r['true_risk']}"
                f" -> {r['category']}/{r['risk']}"
            )
            out.append(f"      {r['rationale']}")
    for key, title in (
        ("labelled_not_extracted", "labelled but not extracted"),
        ("extracted_not_labelled", "extracted but not labelled"),
    ):
        if report[key]:
            out += ["", f"{title}:", *(f"  {x}" for x in report[key])]
    for package, why in report["skipped_packages"].items():
        out.append(f"skipped {package}: {why}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    report = compare(args.cache_dir)
    print(json.dumps(report, indent=2) if args.json else format_text(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
