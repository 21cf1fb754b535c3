"""Plain-text rendering of an evaluation report (classifier.evaluation.evaluate)."""

from __future__ import annotations

from typing import Any

SYSTEMS = ("combined", "rules_only", "model_only", "baseline")


def _pct(x: float | None) -> str:
    return "   -  " if x is None else f"{100 * x:5.1f}%"


def _summary(report: dict[str, Any]) -> list[str]:
    lines = [f"{'system':<12} {'accuracy':>9} {'macro-F1':>9} {'D+F recall':>11} {'ECE':>7}"]
    for name in SYSTEMS:
        s = report[name]
        ece = s.get("ece", s.get("ece_label_confidence"))
        ece_text = f"{ece:7.3f}" if ece is not None else "      -"
        lines.append(
            f"{name:<12} {_pct(s['accuracy']):>9} {_pct(s['macro_f1']):>9} "
            f"{_pct(s['destructive_financial_recall']):>11} {ece_text}"
        )
    return lines


def _per_class(s: dict[str, Any]) -> list[str]:
    lines = [f"{'category':<12} {'precision':>9} {'recall':>7} {'F1':>7} {'support':>8}"]
    for name, c in s["per_class"].items():
        lines.append(
            f"{name:<12} {_pct(c['precision']):>9} {_pct(c['recall']):>7} "
            f"{_pct(c['f1']):>7} {c['support']:>8}"
        )
    return lines


def _confusion(s: dict[str, Any]) -> list[str]:
    labels = s["confusion"]["labels"]
    rows = s["confusion"]["rows_true_cols_predicted"]
    lines = ["true \\ predicted " + " ".join(f"{lb[:5]:>6}" for lb in labels)]
    for lb, row in zip(labels, rows, strict=True):
        lines.append(f"{lb:<17}" + " ".join(f"{v:>6}" for v in row))
    return lines


def format_report(report: dict[str, Any], mistakes: bool = False) -> str:
    split = report["split"]
    out = [
        f"held-out: {split['heldout_tools']} tools in {split['heldout_servers']} servers; "
        f"trained on {split['train_tools']} tools in {split['train_servers']} servers "
        f"(+{split.get('train_rule_examples', 0)} rule-file examples) "
        f"in {report['train_seconds']:.1f}s (temperature {report['temperature']})",
        "",
        *_summary(report),
        "",
        "combined, per category:",
        *_per_class(report["combined"]),
        "",
        "combined, confusion:",
        *_confusion(report["combined"]),
        "",
        "baseline (most severe verb in the name), per category:",
        *_per_class(report["baseline"]),
        "",
        f"{'rule':<40} {'supports':<18} {'fired':>5} {'coverage':>8} {'precision':>9}",
    ]
    for r in report["rules"]:
        out.append(
            f"{r['rule']:<40} {r['supports']:<18} {r['fired']:>5} {_pct(r['coverage']):>8} "
            f"{_pct(r['precision']):>9}"
        )
    if mistakes:
        out += ["", "mistakes (server, tool, true -> predicted):"]
        out += [
            f"  {m['server']}  {m['name']}  {m['true']} -> {m['predicted']}"
            for m in report["mistakes"]
        ]
    return "\n".join(out)


def format_cv_report(report: dict[str, Any], mistakes: bool = False) -> str:
    """Cross-validation over the training servers: summary, per class, confusion, errors."""
    split = report["split"]
    out = [
        f"cross-validation: {split['train_tools']} tools in {split['train_servers']} "
        f"training servers, {split['folds']} grouped folds (held-out servers not read)",
        "",
        f"{'system':<12} {'accuracy':>9} {'macro-F1':>9} {'D+F recall':>11}",
    ]
    for name in ("combined", "rules_only"):
        s = report[name]
        out.append(
            f"{name:<12} {_pct(s['accuracy']):>9} {_pct(s['macro_f1']):>9} "
            f"{_pct(s['destructive_financial_recall']):>11}"
        )
    out += ["", "combined, per category:", *_per_class(report["combined"])]
    out += ["", "combined, confusion:", *_confusion(report["combined"])]
    if mistakes:
        out += ["", "mistakes (source, server, tool, true -> predicted):"]
        out += [
            f"  {m['source']}  {m['server']}  {m['name']}  {m['true']} -> {m['predicted']}"
            for m in report["mistakes"]
        ]
    return "\n".join(out)
