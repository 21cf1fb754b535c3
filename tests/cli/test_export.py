"""`catalogue export policies`: golden policy files."""

from __future__ import annotations

import json
from pathlib import Path

from classifier.policy import PolicyFile

GOLDEN = Path(__file__).parent.parent / "golden"


def test_export_policies_matches_golden_files(catalogue_env, cli, tmp_path):
    assert cli("crawl", "pypi:notes-server", "npm:@fixture/files-mcp").code == 0
    out = tmp_path / "policies"
    result = cli("export", "policies", "--out", str(out), "--json")
    assert result.code == 0, result.stderr
    written = json.loads(result.stdout)["written"]
    assert {w["server"] for w in written} == {"pypi:notes-server", "npm:@fixture/files-mcp"}
    notes = out / "pypi" / "notes-server" / "policy.json"
    files = out / "npm" / "@fixture__files-mcp" / "policy.json"
    assert notes.read_text() == (GOLDEN / "notes-server.policy.json").read_text()
    assert files.read_text() == (GOLDEN / "files-mcp.policy.json").read_text()
    for path in (notes, files):
        PolicyFile.model_validate_json(path.read_text())


def test_export_named_server_only(catalogue_env, cli, tmp_path):
    assert cli("crawl", "pypi:notes-server", "pypi:weather-mcp").code == 0
    out = tmp_path / "only"
    assert cli("export", "policies", "weather-mcp", "--out", str(out)).code == 0
    assert [p.relative_to(out).as_posix() for p in out.rglob("policy.json")] == [
        "pypi/weather-mcp/policy.json"
    ]
    assert cli("export", "policies", "unknown-server", "--out", str(out)).code == 1
