"""Evaluate the tool classifier on held-out servers (never used in training).

Usage: python scripts/eval_classifier.py [--json] [--mistakes] [--cv]

--cv cross-validates over the training servers only (grouped folds) and is the
mode to tune rules and thresholds with; the default held-out report is for the
final figures.

Prints per-class precision/recall/F1, macro-F1, accuracy, the confusion matrix,
expected calibration error, each rule's coverage and precision on the held-out
tools, and Destructive+Financial recall, for the combined classifier, the
rules alone, the model alone and a name-verb baseline.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from classifier import _engine  # noqa: E402
from classifier.evaluation import cross_validate, evaluate  # noqa: E402
from classifier.report import format_cv_report, format_report  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the whole report as JSON")
    parser.add_argument(
        "--mistakes", action="store_true", help="list held-out tools labelled wrongly"
    )
    parser.add_argument(
        "--cv", action="store_true", help="grouped cross-validation inside the training servers"
    )
    args = parser.parse_args(argv)
    if args.cv:
        report = cross_validate(_engine())
        text = format_cv_report(report, mistakes=args.mistakes)
    else:
        report = evaluate(_engine())
        text = format_report(report, mistakes=args.mistakes)
    print(json.dumps(report, indent=2) if args.json else text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
