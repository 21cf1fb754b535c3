"""`catalogue classify` on stored servers and on tools/list dumps."""

from __future__ import annotations

import json

import pytest

CATEGORIES = {"Read", "Write", "Execute", "Destructive", "Financial"}
RISKS = {"low", "medium", "high", "critical"}


def test_classify_a_stored_server_prints_a_table(catalogue_env, cli):
    assert cli("crawl", "pypi:notes-server").code == 0
    result = cli("classify", "notes-server")
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "pypi:notes-server 2.1.0: 4 tools (complete" in result.stdout
    purge = next(line for line in lines if "purge_notebook" in line)
    assert "Destructive" in purge and "critical" in purge
    listing = next(line for line in lines if "list_notes" in line)
    assert "Read" in listing and "low" in listing


def test_classify_a_stored_server_as_json(catalogue_env, cli):
    assert cli("crawl", "npm:@fixture/files-mcp").code == 0
    result = cli("classify", "@fixture/files-mcp", "--json")
    assert result.code == 0
    (server,) = json.loads(result.stdout)["servers"]
    assert (server["source"], server["version"]) == ("npm", "0.3.0")
    tools = {t["name"]: t for t in server["tools"]}
    assert set(tools) == {"read_text", "write_text", "run_script"}
    assert tools["read_text"]["description"] == "Read the contents of a text file in the workspace."
    assert tools["run_script"]["label"]["category"] == "Execute"
    assert tools["write_text"]["label"]["category"] == "Destructive"  # it says "overwrite"
    for tool in tools.values():
        label = tool["label"]
        assert set(label) == {"category", "risk", "confidence", "rationale", "evidence", "flags"}
        assert label["category"] in CATEGORIES and label["risk"] in RISKS


def test_classify_unknown_server(catalogue_env, cli):
    result = cli("classify", "never-crawled")
    assert result.code == 1
    assert "never-crawled: not in the catalogue" in result.stderr


TOOLS = [
    {
        "name": "get_balance",
        "description": "Get the current account balance.",
        "inputSchema": {"type": "object"},
    },
    {
        "name": "delete_repo",
        "description": "Delete a repository permanently.",
        "inputSchema": {"type": "object", "properties": {"repo": {"type": "string"}}},
    },
    {
        "name": "create_payment_link",
        "description": "Create a payment link for a product and price.",
    },
    {
        "name": "run_command",
        "description": "Run a shell command.",
        "annotations": {"readOnlyHint": False},
    },
]


@pytest.mark.parametrize("shape", ["tools_list", "json_lines"])
def test_classify_a_tools_file(cli, tmp_path, shape):
    path = tmp_path / "tools.json"
    if shape == "tools_list":
        path.write_text(json.dumps({"tools": TOOLS}))
    else:
        path.write_text("\n".join(json.dumps(t) for t in TOOLS) + "\n")
    result = cli("classify", "--tools-file", str(path), "--json")
    assert result.code == 0, result.stderr
    out = json.loads(result.stdout)["tools"]
    assert [t["name"] for t in out] == [
        "get_balance",
        "delete_repo",
        "create_payment_link",
        "run_command",
    ]
    assert [t["label"]["category"] for t in out] == ["Read", "Destructive", "Financial", "Execute"]
    for item in out:
        for evidence in item["label"]["evidence"]:
            assert set(evidence) >= {"field", "text", "start", "end"}


@pytest.mark.parametrize(
    "content, message",
    [
        ("{not json\n", "line 1 is not JSON"),
        ('{"tools": [1]}', "tool #1 is not a JSON object"),
        ('{"tools": [{"description": "x"}]}', 'tool #1 has no string "name"'),
        ('"just a string"', "expected"),
    ],
)
def test_classify_a_bad_tools_file(cli, tmp_path, content, message):
    path = tmp_path / "tools.json"
    path.write_text(content)
    result = cli("classify", "--tools-file", str(path), "--json")
    assert result.code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_classify_needs_exactly_one_input(cli, tmp_path):
    path = tmp_path / "t.json"
    path.write_text('{"tools": []}')
    assert cli("classify", "x", "--tools-file", str(path)).code == 2
    assert cli("classify", "--tools-file", str(tmp_path / "missing.json")).code == 2
