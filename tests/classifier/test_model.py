"""The learned model: training, persistence without pickles, determinism, batch = single."""

from __future__ import annotations

import json

import numpy as np
import pytest

import classifier
from classifier import classify, classify_many, default_model
from classifier.dataset import load_examples, server_split
from classifier.features import extract_features
from classifier.model import Model, model_version, train
from classifier.model_features import MAX_BODY_CHARS, text_views
from classifier.ruleset import default_rules
from mcp_domain import Category
from tests.classifier.helpers import field_text, props, tool


@pytest.fixture(scope="module")
def small_model():
    """A model trained on a quarter of the servers: quick, and enough to test mechanics."""
    _train, held = server_split(load_examples())
    return train(held, classifier._engine(), "test-small", calibrate=False)


def test_version_hashes_data_rules_and_code(tmp_path):
    assert classifier.MODEL_VERSION == model_version(default_rules().digest)
    assert classifier.CLASSIFIER_VERSION.endswith(f"+model-{classifier.MODEL_VERSION}")
    assert model_version("other-rules") != classifier.MODEL_VERSION
    (tmp_path / "a.jsonl").write_text('{"server": "s", "name": "x", "category": "Read"}\n')
    assert model_version(default_rules().digest, tmp_path) != classifier.MODEL_VERSION


def test_training_is_deterministic(small_model):
    _train, held = server_split(load_examples())
    again = train(list(reversed(held)), classifier._engine(), "test-small", calibrate=False)
    assert np.array_equal(again.coef, small_model.coef)
    assert small_model.feature_names() == again.feature_names()


def test_saved_model_is_arrays_and_json_and_loads_identically(small_model, tmp_path):
    small_model.save(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "model-test-small.json",
        "model-test-small.npz",
    ]
    meta = json.loads((tmp_path / "model-test-small.json").read_text())
    assert meta["version"] == "test-small" and meta["format"] == "1"
    with np.load(tmp_path / "model-test-small.npz", allow_pickle=False) as data:
        assert {"coef", "intercept", "idf_body"} <= set(data.files)
        assert all(data[k].dtype != object for k in data.files)
    loaded = Model.load(tmp_path, "test-small", classifier._engine())
    assert loaded is not None
    t = tool("purge_bucket", "Delete every object in the bucket.", props(bucket={"type": "string"}))
    assert loaded.predict_proba(t) == small_model.predict_proba(t)


def test_cache_mismatch_or_damage_means_rebuild(small_model, tmp_path):
    small_model.save(tmp_path)
    engine = classifier._engine()
    assert Model.load(tmp_path, "another-version", engine) is None
    (tmp_path / "model-test-small.json").write_text("{broken")
    assert Model.load(tmp_path, "test-small", engine) is None


def test_probabilities_sum_to_one_for_every_category(small_model):
    probs = small_model.predict_proba(tool("create_invoice", "Create and send an invoice."))
    assert set(probs) == set(Category)
    assert abs(sum(probs.values()) - 1.0) < 1e-9


def test_huge_description_is_cut_for_features_but_quoted_whole():
    huge = "Lists widgets. " * 5000 + "Then deletes the widget forever."
    t = tool("widgets", huge)
    name, body, _schema = text_views(extract_features(t))
    assert name == "widgets" and len(body) <= MAX_BODY_CHARS
    label = classify(t)
    for e in label.evidence:
        assert field_text(t, e.field)[e.start : e.end] == e.text


@pytest.mark.parametrize(
    "t",
    [
        tool(""),
        tool("x", "", {"type": "object", "properties": []}),
        tool("写入文件", "将内容写入文件；如果文件已存在，将被覆盖。"),
        tool("\u202eeteled", "\x00\x1b[31m"),
        tool("get-🔥", "🔥" * 10, props(**{"": {"enum": [None, 1, {"a": 2}]}})),
    ],
)
def test_odd_definitions_get_a_label_with_checkable_evidence(t):
    label = classify(t)
    assert label.category in set(Category) and 0.0 < label.confidence <= 1.0
    for e in label.evidence:
        assert field_text(t, e.field)[e.start : e.end] == e.text


def test_batch_and_single_give_the_same_labels():
    tools = [
        tool("delete_repo", "Delete a repository."),
        tool("upgrade_plan", "Upgrade the account to the Pro plan ($49/month)."),
        tool("get_weather", "Current weather for a city."),
    ]
    batch = classify_many(tools)
    assert [lb.model_dump_json() for lb in batch] == [classify(t).model_dump_json() for t in tools]


def test_model_evidence_quotes_the_words_behind_its_decision():
    model = default_model()
    assert model is not None
    t = tool("upgrade_plan", "Upgrade the account to the Pro plan ($49/month).")
    features = extract_features(t)
    hits = classifier._engine().run(features)
    evidence = model.evidence(features, hits, Category.Financial)
    assert evidence and all(e.supports == "model:Financial" for e in evidence)
    for e in evidence:
        assert field_text(t, e.field)[e.start : e.end] == e.text


def test_every_labelled_tool_gets_a_real_label():
    examples = load_examples()
    labels = classify_many([e.tool for e in examples])
    failed = [e.tool.name for e, lb in zip(examples, labels, strict=True) if lb.confidence == 0.0]
    assert failed == []
    decided_by_model = [lb for lb in labels if "learned model" in lb.rationale]
    assert decided_by_model and all(
        lb.evidence for lb in decided_by_model if " on " in lb.rationale
    )
