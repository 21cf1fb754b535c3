"""Score the classifier on validation files whose servers the model does not train on.

    python scripts/eval_validation.py                       # rounds 6 and 7, figures only
    python scripts/eval_validation.py --score dev_round_6.jsonl --leave-out dev_round_7.jsonl
    python scripts/eval_validation.py --score dev_round_5.jsonl --errors   # a file being fitted
    python scripts/eval_validation.py --json

Dev rounds 6 and 7 (classifier/data/README.md) are validation files: written
blind and never used to fit a rule or threshold. This script is how a rule or
model change is judged before the held-out report: it prints figures only,
unless --errors lists the scored file's mistakes (for a file one means to fit;
reading a validation file's mistakes would spend it).

The model is trained the way scripts/eval_classifier.py trains it (classifier.evaluation.evaluate):
the training split of server_split, plus the rule files' own examples that repeat no scored tool,
but with every scored file and every --leave-out file taken out of the training rows. Held-out
servers are never scored (they are the final exam); a scored file should hold training servers only.

Prints accuracy, macro-F1, Destructive+Financial recall, the confusion matrix, per-class P/R/F1,
the same for the rules alone, and every error grouped by boundary (true -> predicted) with what
decided it: a firm rule, the rules with the model unsure, the model overruling the rules, or an
escalation to a severe category, and the category rules that fired.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from classifier import _engine
from classifier.combine import combine
from classifier.dataset import (
    DATA_DIR,
    is_held_out,
    load_examples,
    rule_examples,
    server_split,
    without_overlap,
)
from classifier.evaluation import label_batch, scores
from classifier.model import prepare, train
from classifier.model_features import CATEGORIES

VALIDATION_FILES = ("dev_round_6.jsonl", "dev_round_7.jsonl")


def _file_of(example) -> str:
    return example.source.rsplit(":", 1)[0]


def _decider(steps: list[str], rules_cat, final_cat) -> str:
    """Which part of the combination set the final category, read from its trace."""
    text = " | ".join(steps)
    if "firm rule evidence" in text:
        return "firm rule"
    if "escalated from" in text:
        return "model escalation to a severe category"
    if "the model decides" in text:
        return "model overruled the rules" if rules_cat != final_cat else "model"
    if "the model is unsure" in text:
        return "rules (model unsure)"
    if "the model agrees" in text:
        return "rules and model agree"
    return "rules"


def _category_hits(hits) -> list[str]:
    found = []
    for h in hits:
        if h.rule.kind == "category":
            quote = h.evidence[0].text if h.evidence else ""
            found.append(f"{h.rule.id}->{h.rule.category} {h.weight:.2f} '{quote[:40]}'")
    return found


def validation_split(
    examples: list, engine, score_files: Sequence[str], leave_out: Sequence[str] = ()
) -> tuple[list, list, list, list[str]]:
    """(training rows, rule-file examples, scored examples, held-out servers left unscored).

    Training rows: the training split of server_split without any scored or left-out file.
    Rule-file examples: the rule files' own examples that repeat no scored tool. Scored:
    the scored files' tools on training-side servers (held-out servers are the final exam,
    never scored here).
    """
    excluded = set(score_files) | set(leave_out)
    train_set, _held = server_split(examples)
    train_rows = [e for e in train_set if _file_of(e) not in excluded]
    scored = [e for e in examples if _file_of(e) in score_files]
    skipped = sorted({e.server for e in scored if is_held_out(e.server)})
    scored = [e for e in scored if not is_held_out(e.server)]
    overlap = {e.server for e in scored} & {e.server for e in train_rows}
    if overlap:
        raise SystemExit(f"scored servers also in training: {sorted(overlap)}")
    extra = without_overlap(rule_examples(engine.ruleset), scored)
    return train_rows, extra, scored, skipped


def measure(score_files: list[str], leave_out: list[str], data_dir: Path) -> dict:
    engine = _engine()
    examples = load_examples(data_dir)
    known = {_file_of(e) for e in examples}
    for name in score_files + leave_out:
        if name not in known:
            raise SystemExit(f"no data file named {name} in {data_dir}")
    train_rows, extra, scored, skipped = validation_split(examples, engine, score_files, leave_out)
    model = train(train_rows + extra, engine, "dev")
    scored, features, hits = prepare(scored, engine)
    labels, probs = label_batch(model, scored, features, hits)
    y = [e.category for e in scored]
    final = [lb.category for lb in labels]
    rules_only = [
        combine(e.tool, f, h).category for e, f, h in zip(scored, features, hits, strict=True)
    ]
    risk_right = sum(str(lb.risk) == e.risk for e, lb in zip(scored, labels, strict=True))
    errors = []
    for i, e in enumerate(scored):
        if final[i] == e.category:
            continue
        steps: list[str] = []
        p = dict(zip(CATEGORIES, map(float, probs[i]), strict=True))
        combine(e.tool, features[i], list(hits[i]), None, "dev", probs=p,
                evidence_fn=model.evidence, trace=steps)  # fmt: skip
        errors.append(
            {
                "source": e.source,
                "server": e.server,
                "name": e.tool.name,
                "true": str(e.category),
                "predicted": str(final[i]),
                "rules_only": str(rules_only[i]),
                "decided_by": _decider(steps, rules_only[i], final[i]),
                "model": {str(c): round(v, 2) for c, v in p.items() if v >= 0.05},
                "category_rules": _category_hits(hits[i]),
                "description": e.tool.description[:160],
            }
        )
    return {
        "scored_files": score_files,
        "left_out_of_training": sorted(set(score_files) | set(leave_out)),
        "train_tools": len(train_rows),
        "train_rule_examples": len(extra),
        "scored_tools": len(scored),
        "scored_servers": len({e.server for e in scored}),
        "held_out_servers_not_scored": skipped,
        "combined": scores(y, final),
        "rules_only": scores(y, rules_only),
        "model_only": scores(y, [CATEGORIES[int(row.argmax())] for row in probs]),
        "risk_exact": risk_right / max(len(scored), 1),
        "errors": errors,
    }


def _table(s: dict) -> str:
    lines = [
        (
            f"accuracy {s['accuracy']:.1%}  macro-F1 {s['macro_f1']:.1%}  "
            f"D+F recall {s['destructive_financial_recall']:.1%}"
        ),
        "confusion (rows true, columns predicted):",
        "              " + "".join(f"{c[:5]:>7}" for c in s["confusion"]["labels"]),
    ]
    rows = s["confusion"]["rows_true_cols_predicted"]
    for name, row in zip(s["confusion"]["labels"], rows, strict=True):
        lines.append(f"  {name:<12}" + "".join(f"{v:>7}" for v in row))
    lines.append("per class:      P      R     F1  support")
    for name, c in s["per_class"].items():
        lines.append(
            f"  {name:<12}{c['precision']:>6.1%}{c['recall']:>7.1%}{c['f1']:>7.1%}{c['support']:>8}"
        )
    return "\n".join(lines)


def report(r: dict) -> str:
    out = [
        (
            f"scored {r['scored_tools']} tools in {r['scored_servers']} servers from "
            f"{', '.join(r['scored_files'])}"
        ),
        (
            f"model trained on {r['train_tools']} tools + {r['train_rule_examples']} "
            f"rule examples; left out: {', '.join(r['left_out_of_training'])}"
        ),
    ]
    if r["held_out_servers_not_scored"]:
        out.append(f"held-out servers skipped: {', '.join(r['held_out_servers_not_scored'])}")
    out += ["", "COMBINED", _table(r["combined"]), "", "RULES ONLY", _table(r["rules_only"])]
    out += ["", "MODEL ONLY", _table(r["model_only"])]
    out += ["", f"risk exactly right: {r['risk_exact']:.1%}"]
    if isinstance(r["errors"], str):
        return "\n".join([*out, f"errors: {r['errors']}"])
    out += ["", f"ERRORS ({len(r['errors'])})"]
    groups: dict[str, list[dict]] = defaultdict(list)
    for e in r["errors"]:
        groups[f"{e['true']} -> {e['predicted']}"].append(e)
    for boundary, items in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        out.append(f"\n{boundary}: {len(items)}")
        for e in items:
            out.append(
                f"  {e['source']} {e['server']} {e['name']} [{e['decided_by']}; "
                f"rules alone {e['rules_only']}; model {e['model']}]"
            )
            out.append(f"      rules: {'; '.join(e['category_rules']) or '(none)'}")
            out.append(f"      text: {e['description']!r}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--score",
        nargs="+",
        default=list(VALIDATION_FILES),
        help="data file names to score (default: the validation files)",
    )
    parser.add_argument(
        "--leave-out", nargs="*", default=[], help="other files kept out of training"
    )
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--errors", action="store_true", help="list the mistakes too")
    args = parser.parse_args(argv)
    names = [Path(n).name for n in args.score]
    leave = [Path(n).name for n in args.leave_out]
    # Scoring several files leaves each of them out of training.
    result = measure(names, leave, args.data_dir)
    if not args.errors:
        result["errors"] = f"{len(result['errors'])} (not listed; --errors lists them)"
    print(json.dumps(result, indent=2, ensure_ascii=False) if args.json else report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
