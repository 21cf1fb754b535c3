"""Against the real registries configured for pip and npm on this machine. Opt in: -m online."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.online

FAL_TOOLS = {
    "list_models", "recommend_model", "get_pricing", "get_usage", "upload_file", "generate_image",
    "generate_image_structured", "generate_image_from_image", "remove_background", "upscale_image",
    "edit_image", "inpaint_image", "resize_image", "compose_images", "generate_video",
    "generate_video_from_image", "generate_video_from_video", "generate_music",
}  # fmt: skip


@pytest.fixture
def real_env(tmp_path, monkeypatch):
    for name in ("CATALOGUE_PYPI_URL", "CATALOGUE_NPM_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CATALOGUE_DB", str(tmp_path / "catalogue.db"))
    monkeypatch.chdir(tmp_path)


def test_fal_mcp_server_has_its_18_tools(real_env, cli):
    result = cli("crawl", "pypi:fal-mcp-server==1.18.0", "--json")
    assert result.code == 0, result.stderr
    listed = json.loads(cli("classify", "fal-mcp-server", "--json").stdout)["servers"][0]["tools"]
    assert {t["name"] for t in listed} == FAL_TOOLS
    assert len(listed) == 18


@pytest.mark.parametrize(
    "package, count",
    [
        ("npm:@modelcontextprotocol/server-filesystem", 14),
        ("npm:@modelcontextprotocol/server-memory", 9),
    ],
)
def test_reference_npm_servers(real_env, cli, package, count):
    result = cli("crawl", package, "--json")
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["packages"][0]["tools"] == count
