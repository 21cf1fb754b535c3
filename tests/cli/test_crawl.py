"""`catalogue crawl` end to end against the fake registries."""

from __future__ import annotations

import json

from sqlalchemy import select

from catalogue.db import store
from catalogue.db.schema import CrawlRun, Release, Server, Tool
from tests.registry import Published, sdist

GOOD = ["pypi:weather-mcp", "pypi:notes-server", "npm:@fixture/files-mcp"]


def _db(tmp_path):
    return store.open_database(str(tmp_path / "catalogue.db"))


def test_crawl_stores_servers_tools_and_labels(catalogue_env, cli, tmp_path):
    result = cli("crawl", *GOOD, "--json")
    assert result.code == 0, result.stderr
    report = json.loads(result.stdout)
    by_name = {p["package"]: p for p in report["packages"]}
    assert by_name["pypi:weather-mcp"] == {
        "package": "pypi:weather-mcp", "status": "stored", "version": "1.0.0",
        "tools": 3, "completeness": "complete", "error": "", "skipped": [],
    }  # fmt: skip
    assert by_name["pypi:notes-server"]["tools"] == 4
    assert by_name["npm:@fixture/files-mcp"]["tools"] == 3

    with _db(tmp_path)() as session:
        tools = session.scalars(
            select(Tool).join(Release).join(Server).where(Server.name == "notes-server")
        ).all()
        assert [t.name for t in tools] == [
            "list_notes",
            "search_notes",
            "create_note",
            "purge_notebook",
        ]
        purge = tools[3]
        assert purge.source_file == "src/notes_server/tools/write_tools.py"
        assert purge.source_line > 0 and len(purge.definition_hash) == 64
        assert purge.labels[0].category == "Destructive"
        release = purge.release
        assert release.status == "ok" and release.sha256 and release.size
        assert release.artifact_name == "notes_server-2.1.0.tar.gz"
        run = session.scalars(select(CrawlRun)).one()
        assert (run.stored, run.unchanged, run.failed) == (3, 0, 0)
        assert run.finished_at is not None


def test_crawling_a_stored_version_is_a_no_op(catalogue_env, cli):
    assert cli("crawl", "pypi:weather-mcp").code == 0
    downloads = [r for r in catalogue_env.requests if r.startswith("/files/")]
    again = cli("crawl", "pypi:weather-mcp", "--json")
    assert again.code == 0
    assert json.loads(again.stdout)["packages"][0]["status"] == "unchanged"
    assert [r for r in catalogue_env.requests if r.startswith("/files/")] == downloads


def test_a_new_version_adds_a_release_and_keeps_the_old(catalogue_env, cli, tmp_path):
    assert cli("crawl", "pypi:weather-mcp").code == 0
    catalogue_env.add_pypi(
        "weather-mcp", "1.1.0", Published(*sdist("weather_mcp", "weather-mcp", "1.1.0"))
    )
    assert cli("crawl", "pypi:weather-mcp").code == 0
    with _db(tmp_path)() as session:
        server = session.scalars(select(Server).where(Server.name == "weather-mcp")).one()
        assert [r.version for r in server.releases] == ["1.0.0", "1.1.0"]
        assert all(len(r.tools) == 3 for r in server.releases)
        assert store.latest_good_release(server).version == "1.1.0"


def test_bad_packages_are_recorded_and_do_not_stop_the_run(catalogue_env, cli, tmp_path):
    result = cli(
        "crawl", "pypi:no-such-mcp", "pypi:corrupt-mcp", "pypi:truncated-mcp",
        "pypi:tampered-mcp", "npm:@fixture/missing", "pypi:weather-mcp",
    )  # fmt: skip
    assert result.code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 5
    text = "\n".join(errors)
    assert "pypi:no-such-mcp: package not found" in text
    assert "pypi:corrupt-mcp 1.0.0: corrupt or truncated tar archive" in text
    assert "pypi:truncated-mcp 1.0.0: corrupt or truncated" in text
    assert "pypi:tampered-mcp 1.0.0:" in text and "sha256 mismatch" in text
    assert "npm:@fixture/missing: package not found" in text
    with _db(tmp_path)() as session:
        releases = {r.server.name: r for r in session.scalars(select(Release))}
        assert releases["weather-mcp"].status == "ok"
        for name in ("corrupt-mcp", "truncated-mcp", "tampered-mcp"):
            assert releases[name].status == "failed" and releases[name].error
            assert releases[name].tools == []
        run = session.scalars(select(CrawlRun)).one()
        assert (run.stored, run.failed) == (1, 5)
        assert {f["package"] for f in run.failures} >= {"pypi:no-such-mcp", "npm:@fixture/missing"}


def test_a_failed_release_is_retried_on_the_next_crawl(catalogue_env, cli, tmp_path):
    assert cli("crawl", "pypi:tampered-mcp").code == 1
    catalogue_env.pypi["tampered-mcp"]["1.0.0"].sha256 = None  # the registry fixed its record
    assert cli("crawl", "pypi:tampered-mcp").code == 0
    with _db(tmp_path)() as session:
        release = session.scalars(select(Release)).one()
        assert release.status == "ok" and release.error == "" and len(release.tools) == 3


def test_a_source_file_that_does_not_parse_loses_only_that_file(catalogue_env, cli, tmp_path):
    result = cli("crawl", "pypi:broken-source-mcp", "--json")
    assert result.code == 0
    package = json.loads(result.stdout)["packages"][0]
    assert package["status"] == "stored" and package["tools"] == 1
    assert package["skipped"][0].startswith("src/broken_source/helpers.py: ")
    text_run = cli("crawl", "pypi:broken-source-mcp")
    assert text_run.code == 0  # already stored: unchanged, nothing to warn about again
    with _db(tmp_path)() as session:
        release = session.scalars(select(Release)).one()
        assert [t.name for t in release.tools] == ["ping"]
        skipped = {s["file"]: s["reason"] for s in release.skipped_files}
        assert "src/broken_source/helpers.py" in skipped


def test_usage_errors_exit_2(catalogue_env, cli):
    result = cli("crawl", "fal-mcp-server")
    assert result.code == 2
    assert "pypi:NAME" in result.stderr
    assert cli("classify").code == 2
    assert cli("no-such-command").code == 2


def test_crawl_reads_a_package_list_file(catalogue_env, cli, tmp_path):
    listing = tmp_path / "packages.txt"
    listing.write_text("# two servers\npypi:weather-mcp\n\nnpm:@fixture/files-mcp\n")
    result = cli("crawl", "--from", str(listing), "--json")
    assert result.code == 0
    assert [p["package"] for p in json.loads(result.stdout)["packages"]] == [
        "pypi:weather-mcp", "npm:@fixture/files-mcp",
    ]  # fmt: skip
