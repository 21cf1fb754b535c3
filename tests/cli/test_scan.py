"""`catalogue scan PATH`: no network, no database."""

from __future__ import annotations

import json

from tests.registry import FIXTURES, npm_tarball, sdist


def test_scan_sdist_json_shape(cli, tmp_path):
    name, data = sdist("weather_mcp", "weather-mcp", "1.0.0")
    archive = tmp_path / name
    archive.write_bytes(data)
    result = cli("scan", str(archive), "--json")
    assert result.code == 0, result.stderr
    tools = json.loads(result.stdout)["tools"]
    by_name = {t["name"]: t for t in tools}
    assert set(by_name) == {"get_forecast", "delete_saved_location", "send_weather_alert"}
    forecast = by_name["get_forecast"]
    assert set(forecast) >= {"name", "description", "inputSchema", "annotations", "source", "label"}
    assert forecast["description"] == "Get the weather forecast for a city for the next few days."
    assert set(forecast["inputSchema"]["properties"]) == {"city", "days", "units"}
    assert forecast["inputSchema"]["required"] == ["city"]
    assert forecast["source"] == {"file": "src/weather_mcp/server.py", "line": 9}
    assert forecast["label"]["category"] == "Read"
    assert by_name["delete_saved_location"]["label"]["category"] == "Destructive"
    alert = by_name["send_weather_alert"]["label"]
    assert alert["category"] == "Write" and alert["risk"] == "high"
    assert not (tmp_path / "catalogue.db").exists()


def test_scan_npm_tarball_and_folder(cli, tmp_path):
    name, data = npm_tarball("files_mcp", "@fixture/files-mcp", "0.3.0")
    archive = tmp_path / name
    archive.write_bytes(data)
    from_tarball = json.loads(cli("scan", str(archive), "--json").stdout)
    from_folder = json.loads(cli("scan", str(FIXTURES / "files_mcp"), "--json").stdout)
    assert from_tarball["tools"] == from_folder["tools"]
    assert [t["name"] for t in from_folder["tools"]] == ["read_text", "write_text", "run_script"]


def test_scan_low_level_server_skips_dead_module(cli):
    result = cli("scan", str(FIXTURES / "notes_server"), "--json")
    names = [t["name"] for t in json.loads(result.stdout)["tools"]]
    assert names == ["list_notes", "search_notes", "create_note", "purge_notebook"]
    assert "legacy_export" not in names


def test_scan_table_output(cli):
    result = cli("scan", str(FIXTURES / "notes_server"))
    assert result.code == 0
    assert "notes_server: 4 tools (complete)" in result.stdout
    assert "purge_notebook" in result.stdout


def test_scan_corrupt_archive_and_missing_path(cli, tmp_path):
    bad = tmp_path / "bad-1.0.tar.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00 truncated")
    result = cli("scan", str(bad))
    assert result.code == 1
    assert result.stderr.startswith("error: bad-1.0.tar.gz: corrupt or truncated")
    assert cli("scan", str(tmp_path / "nothing")).code == 2
