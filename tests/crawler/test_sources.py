from __future__ import annotations

import hashlib

import pytest

from crawler.http import FetchError, HttpClient, HttpSettings
from crawler.sources.base import (
    Artifact,
    HashMismatch,
    PackageSpec,
    UnknownPackage,
    parse_spec,
    sri_to_hex,
    verify_digest,
)
from crawler.sources.npm import NpmSource
from crawler.sources.pypi import PyPISource
from tests.registry import Published, sdist

FAST = HttpSettings(retries=2, backoff_seconds=0.01)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("pypi:fal-mcp-server", ("pypi", "fal-mcp-server", None)),
        ("pypi:fal-mcp-server==1.18.0", ("pypi", "fal-mcp-server", "1.18.0")),
        (
            "npm:@modelcontextprotocol/server-memory",
            ("npm", "@modelcontextprotocol/server-memory", None),
        ),
        ("npm:@scope/pkg@2.0.1", ("npm", "@scope/pkg", "2.0.1")),
        ("npm:plain@1.0.0", ("npm", "plain", "1.0.0")),
    ],
)
def test_parse_spec(text, expected):
    spec = parse_spec(text)
    assert (spec.source, spec.name, spec.version) == expected


@pytest.mark.parametrize("text", ["fal-mcp-server", "cargo:x", "pypi:", "npm:@1.0"])
def test_parse_spec_rejects_other_shapes(text):
    with pytest.raises(ValueError):
        parse_spec(text)


def test_pypi_resolves_latest_and_downloads_verified(registry):
    registry.add_pypi(
        "weather-mcp", "1.1.0", Published(*sdist("weather_mcp", "weather-mcp", "1.1.0"))
    )
    with HttpClient(FAST) as http:
        source = PyPISource(registry.base_url, http)
        release = source.resolve(PackageSpec(source="pypi", name="weather-mcp"))
        assert release.version == "1.1.0"
        assert release.artifact.filename == "weather_mcp-1.1.0.tar.gz"
        assert release.repository == "https://code.test/weather-mcp"
        data = source.download(release)
        assert hashlib.sha256(data).hexdigest() == release.artifact.digests["sha256"]
        pinned = source.resolve(PackageSpec(source="pypi", name="weather-mcp", version="1.0.0"))
        assert pinned.version == "1.0.0"


def test_pypi_unknown_package_and_version(registry):
    with HttpClient(FAST) as http:
        source = PyPISource(registry.base_url, http)
        with pytest.raises(UnknownPackage, match="pypi:no-such-mcp: package not found"):
            source.resolve(PackageSpec(source="pypi", name="no-such-mcp"))
        with pytest.raises(UnknownPackage, match="version 9.9 not found"):
            source.resolve(PackageSpec(source="pypi", name="weather-mcp", version="9.9"))


def test_pypi_pinned_version_from_the_project_document(registry):
    registry.add_pypi(
        "weather-mcp", "1.1.0", Published(*sdist("weather_mcp", "weather-mcp", "1.1.0"))
    )
    registry.project_only.add("weather-mcp")
    with HttpClient(FAST) as http:
        source = PyPISource(registry.base_url, http)
        pinned = source.resolve(PackageSpec(source="pypi", name="weather-mcp", version="1.0.0"))
        assert (pinned.version, pinned.artifact.filename) == ("1.0.0", "weather_mcp-1.0.0.tar.gz")
        assert source.download(pinned)
        with pytest.raises(UnknownPackage, match="version 3.0 not found"):
            source.resolve(PackageSpec(source="pypi", name="weather-mcp", version="3.0"))


def test_pypi_hash_mismatch(registry):
    with HttpClient(FAST) as http:
        source = PyPISource(registry.base_url, http)
        release = source.resolve(PackageSpec(source="pypi", name="tampered-mcp"))
        with pytest.raises(HashMismatch, match="sha256 mismatch"):
            source.download(release)


def test_npm_scoped_package_with_integrity(registry):
    with HttpClient(FAST) as http:
        source = NpmSource(registry.base_url, http)
        release = source.resolve(PackageSpec(source="npm", name="@fixture/files-mcp"))
        assert release.version == "0.3.0"
        assert set(release.artifact.digests) == {"sha512", "sha1"}
        data = source.download(release)
        assert hashlib.sha512(data).hexdigest() == release.artifact.digests["sha512"]
    assert "/@fixture%2Ffiles-mcp" in registry.requests


def test_npm_unknown(registry):
    with HttpClient(FAST) as http:
        source = NpmSource(registry.base_url, http)
        with pytest.raises(UnknownPackage):
            source.resolve(PackageSpec(source="npm", name="@fixture/nothing"))
        with pytest.raises(UnknownPackage, match="version 7.0.0"):
            source.resolve(PackageSpec(source="npm", name="@fixture/files-mcp", version="7.0.0"))


def test_retry_then_success_and_give_up(registry):
    registry.statuses["/pypi/weather-mcp/json"] = [503, 200]
    with HttpClient(FAST) as http:
        assert (
            http.get_json(f"{registry.base_url}/pypi/weather-mcp/json")["info"]["version"]
            == "1.0.0"
        )
        registry.statuses["/pypi/weather-mcp/json"] = [500, 500, 500]
        with pytest.raises(FetchError, match="HTTP 500") as caught:
            http.get_json(f"{registry.base_url}/pypi/weather-mcp/json")
        assert caught.value.status == 500


def test_response_size_cap(registry):
    with HttpClient(HttpSettings(max_artifact_bytes=100)) as http:
        with pytest.raises(FetchError, match="too large"):
            http.get_bytes(f"{registry.base_url}/files/weather_mcp-1.0.0.tar.gz")


def test_verify_digest_requires_a_digest():
    with pytest.raises(HashMismatch, match="no digest"):
        verify_digest(b"x", Artifact(filename="a.tgz", url="http://x.test/a.tgz"))


def test_sri_to_hex():
    assert sri_to_hex("sha512-" + "A" * 86 + "==") == ("sha512", "00" * 64)
    assert sri_to_hex("md5-abc") is None
