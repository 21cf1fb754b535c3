"""`catalogue train`: rebuild the classifier's model from classifier/data/ and evaluate it."""

from __future__ import annotations

import classifier
from catalogue.output import console, print_json
from classifier.evaluation import evaluate
from classifier.report import format_report


def run_train(as_json: bool) -> None:
    model, seconds = classifier.rebuild_model()
    report = evaluate(classifier._engine())
    summary = {
        "model_version": model.version,
        "classifier_version": classifier.CLASSIFIER_VERSION,
        "train_seconds_all_data": round(seconds, 2),
        "evaluation": report,
    }
    if as_json:
        print_json(summary)
        return
    console.print(
        f"model {model.version} trained on every labelled tool in {seconds:.1f}s "
        f"(classifier {classifier.CLASSIFIER_VERSION})",
        markup=False,
    )
    console.print(
        "evaluation (a second model, trained without the held-out servers):", markup=False
    )
    console.print(format_report(report), markup=False, soft_wrap=True)
