"""Validate the labelled tool examples in classifier/data/*.jsonl and print counts.

Usage: python scripts/check_training_data.py [DATA_DIR]

Every line must be one JSON object in the taxonomy's spelling (see
/work/shared/taxonomy.md). The script prints counts per category, domain
(file) and server, and exits 1 when any line is invalid.
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

CATEGORIES = ("Read", "Write", "Execute", "Destructive", "Financial")
RISKS = ("low", "medium", "high", "critical")
FLAGS = ("prompt_injection", "annotation_conflict", "open_world", "sensitive_data")
DEFAULT_RISK = {
    "Read": "low",
    "Write": "medium",
    "Execute": "high",
    "Destructive": "critical",
    "Financial": "critical",
}
ANNOTATION_HINTS = ("readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint")
REQUIRED_KEYS = ("server", "name", "description", "inputSchema", "category", "risk", "flags", "why")
ALLOWED_KEYS = frozenset(REQUIRED_KEYS) | {"annotations"}
MAX_WHY = 400
DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "classifier" / "data"


@dataclass
class Report:
    records: list[dict] = field(default_factory=list)
    # Each record's domain is the stem of the file it came from.
    domains: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def allowed_risks(category: str) -> tuple[str, ...]:
    """The default risk and the one step above it (never past critical)."""
    start = RISKS.index(DEFAULT_RISK[category])
    return tuple(RISKS[start : min(start + 2, len(RISKS))])


def _check_schema(schema: object) -> list[str]:
    if not isinstance(schema, dict):
        return ["inputSchema is not an object"]
    errors = []
    if schema.get("type") != "object":
        errors.append('inputSchema.type is not "object"')
    props = schema.get("properties", {})
    if not isinstance(props, dict):
        errors.append("inputSchema.properties is not an object")
        props = {}
    required = schema.get("required", [])
    if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
        errors.append("inputSchema.required is not a list of names")
    elif props and any(r not in props for r in required):
        errors.append("inputSchema.required names a missing property")
    return errors


def _check_annotations(annotations: object) -> list[str]:
    if not isinstance(annotations, dict):
        return ["annotations is not an object"]
    errors = []
    for key, value in annotations.items():
        if key == "title":
            if not isinstance(value, str):
                errors.append("annotations.title is not a string")
        elif key in ANNOTATION_HINTS:
            if not isinstance(value, bool):
                errors.append(f"annotations.{key} is not a boolean")
        else:
            errors.append(f"unknown annotation {key!r}")
    return errors


def validate_record(rec: object) -> list[str]:
    """Return the problems with one parsed line; an empty list means valid."""
    if not isinstance(rec, dict):
        return ["line is not a JSON object"]
    errors = [f"missing key {k!r}" for k in REQUIRED_KEYS if k not in rec]
    errors += [f"unknown key {k!r}" for k in rec if k not in ALLOWED_KEYS]
    if errors:
        return errors
    for key in ("server", "name"):
        if not isinstance(rec[key], str) or not rec[key].strip():
            errors.append(f"{key} is not a non-empty string")
    if not isinstance(rec["description"], str):
        errors.append("description is not a string")
    errors += _check_schema(rec["inputSchema"])
    if "annotations" in rec:
        errors += _check_annotations(rec["annotations"])
    category, risk = rec["category"], rec["risk"]
    if category not in CATEGORIES:
        errors.append(f"category {category!r} is not one of {CATEGORIES}")
    if risk not in RISKS:
        errors.append(f"risk {risk!r} is not one of {RISKS}")
    if category in CATEGORIES and risk in RISKS and risk not in allowed_risks(category):
        errors.append(f"risk {risk!r} is not the default or one step above for {category}")
    flags = rec["flags"]
    if not isinstance(flags, list) or not all(isinstance(f, str) for f in flags):
        errors.append("flags is not a list of strings")
    else:
        errors += [f"unknown flag {f!r}" for f in flags if f not in FLAGS]
        if len(set(flags)) != len(flags):
            errors.append("flags repeat")
        if "annotation_conflict" in flags and not rec.get("annotations"):
            errors.append("annotation_conflict flagged but the tool has no annotations")
    why = rec["why"]
    if not isinstance(why, str) or not why.strip():
        errors.append("why is not a non-empty string")
    elif len(why) > MAX_WHY:
        errors.append(f"why is longer than {MAX_WHY} characters")
    return errors


def load(data_dir: Path) -> Report:
    """Parse and validate every line of every *.jsonl file under data_dir."""
    report = Report()
    seen: dict[tuple[str, str], str] = {}
    server_domain: dict[str, str] = {}
    for path in sorted(data_dir.glob("*.jsonl")):
        domain = path.stem
        # Split on "\n" only: str.splitlines() would also break on U+2028 and
        # other separators that hostile descriptions legitimately contain.
        lines = path.read_text(encoding="utf-8").split("\n")
        if lines[-1] == "":
            lines.pop()
        for lineno, line in enumerate(lines, 1):
            where = f"{path.name}:{lineno}"
            if not line.strip():
                report.errors.append(f"{where}: blank line")
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                report.errors.append(f"{where}: not JSON ({exc.msg})")
                continue
            problems = validate_record(rec)
            if problems:
                report.errors += [f"{where}: {p}" for p in problems]
                continue
            key = (rec["server"], rec["name"])
            if key in seen:
                report.errors.append(
                    f"{where}: duplicate (server, name) {key}, first at {seen[key]}"
                )
                continue
            seen[key] = where
            other = server_domain.setdefault(rec["server"], domain)
            if other != domain:
                report.errors.append(f"{where}: server {rec['server']!r} also appears in {other}")
                continue
            report.records.append(rec)
            report.domains.append(domain)
    return report


def counts(report: Report) -> dict[str, Counter]:
    servers: Counter = Counter(r["server"] for r in report.records)
    return {
        "category": Counter(r["category"] for r in report.records),
        "risk": Counter(r["risk"] for r in report.records),
        "flag": Counter(f for r in report.records for f in r["flags"]),
        "domain": Counter(report.domains),
        "server": servers,
    }


def _print_counts(report: Report) -> None:
    c = counts(report)
    print(f"total: {len(report.records)} tools, {len(c['server'])} servers")
    for title in ("category", "risk", "flag"):
        print(f"\n{title}:")
        for key, n in c[title].most_common():
            print(f"  {key:<22}{n:>6}")
    by_domain: dict[str, Counter] = defaultdict(Counter)
    for rec, domain in zip(report.records, report.domains, strict=True):
        by_domain[domain][rec["category"]] += 1
    print("\ndomain" + "".join(f"{c[:5]:>7}" for c in CATEGORIES) + "  total  servers")
    for domain in sorted(by_domain):
        row = by_domain[domain]
        n_servers = len(
            {
                r["server"]
                for r, d in zip(report.records, report.domains, strict=True)
                if d == domain
            }
        )
        cells = "".join(f"{row[c]:>7}" for c in CATEGORIES)
        print(f"{domain:<20}{cells}{sum(row.values()):>7}{n_servers:>9}")
    print("\nservers:")
    for server, n in sorted(c["server"].items()):
        print(f"  {server:<34}{n:>4}")


def main(argv: list[str]) -> int:
    data_dir = Path(argv[1]) if len(argv) > 1 else DEFAULT_DATA_DIR
    report = load(data_dir)
    _print_counts(report)
    if report.errors:
        print(f"\n{len(report.errors)} invalid line(s):", file=sys.stderr)
        for err in report.errors:
            print(f"  {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
