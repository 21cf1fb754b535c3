"""`catalogue explain SERVER TOOL` and `catalogue train`."""

from __future__ import annotations

import json

import pytest

import classifier

PURGE = "Permanently delete all notes in the notebook."


@pytest.fixture
def notes(catalogue_env, cli):
    assert cli("crawl", "pypi:notes-server").code == 0
    return cli


def test_explain_json_shows_rules_model_steps_and_label(notes):
    result = notes("explain", "notes-server", "purge_notebook", "--json")
    assert result.code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["server"] == "pypi:notes-server 2.1.0"
    assert out["tool"] == "purge_notebook"
    hits = {h["rule"]: h for h in out["rules"]}
    delete = hits["destructive.delete-verb"]
    assert delete["supports"] == "Destructive" and delete["weight"] == 0.9
    by_field = {e["field"]: e for e in delete["evidence"]}
    assert by_field["name"]["text"] == "purge"
    assert (by_field["name"]["start"], by_field["name"]["end"]) == (0, 5)
    desc = by_field["description"]
    assert desc["text"] == "delete" and PURGE[desc["start"] : desc["end"]] == "delete"
    assert hits["risk.bulk-scope"]["evidence"][0]["text"] == "all notes"
    probs = out["model"]["probabilities"]
    assert set(probs) == {"Read", "Write", "Execute", "Destructive", "Financial"}
    assert abs(sum(probs.values()) - 1.0) < 1e-3
    assert max(probs, key=probs.get) == "Destructive"
    assert out["steps"][0].startswith("rules: Destructive")
    assert any(s.startswith("firm rule evidence") for s in out["steps"])
    assert out["steps"][-1] == "final: Destructive, risk critical"
    assert out["label"]["category"] == "Destructive" and out["label"]["risk"] == "critical"
    assert out["classifier_version"] == classifier.CLASSIFIER_VERSION


def test_explain_prints_a_readable_report(notes):
    result = notes("explain", "notes-server", "list_notes")
    assert result.code == 0, result.stderr
    text = result.stdout
    assert "pypi:notes-server 2.1.0 list_notes" in text
    assert "description: List every note title in the notebook." in text
    assert "read.read-verb -> Read (category, weight 0.80)" in text
    assert "    name [0:4] 'list'" in text
    assert "label: Read, risk low" in text
    assert "combination:" in text and "final: Read, risk low" in text


@pytest.mark.parametrize(
    "args, message",
    [
        (("never-crawled", "x"), "never-crawled: not in the catalogue"),
        (("notes-server", "no_such_tool"), "notes-server: has no tool named 'no_such_tool'"),
    ],
)
def test_explain_unknown_server_or_tool(notes, args, message):
    result = notes("explain", *args)
    assert result.code == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_train_rebuilds_the_cached_model_and_prints_the_evaluation(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    try:
        result = cli("train", "--json")
    finally:
        classifier.default_model.cache_clear()  # later tests load the normal cache again
    assert result.code == 0, result.stderr
    out = json.loads(result.stdout)
    version = classifier.MODEL_VERSION
    assert out["model_version"] == version
    assert (tmp_path / "mcp-catalogue" / f"model-{version}.npz").is_file()
    meta = json.loads((tmp_path / "mcp-catalogue" / f"model-{version}.json").read_text())
    assert meta["version"] == version and set(meta["vocabulary"]) == {
        "name",
        "name_chars",
        "body",
        "schema",
    }
    ev = out["evaluation"]
    servers = {e.server for e in classifier.dataset.load_examples()}
    assert ev["split"]["train_servers"] + ev["split"]["heldout_servers"] == len(servers)
    held = {s for s in servers if classifier.dataset.is_held_out(s)}
    assert ev["split"]["heldout_servers"] == len(held)
    for system in ("combined", "rules_only", "model_only", "baseline"):
        assert 0.0 <= ev[system]["accuracy"] <= 1.0
        assert set(ev[system]["per_class"]) == {
            "Read",
            "Write",
            "Execute",
            "Destructive",
            "Financial",
        }
    assert ev["combined"]["accuracy"] > ev["baseline"]["accuracy"] + 0.1
    assert {r["rule"] for r in ev["rules"]} >= {"destructive.delete-verb", "read.read-verb"}
    assert ev["train_seconds"] < 60
