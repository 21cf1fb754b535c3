from __future__ import annotations

from crawler import endpoints


def test_settings_win_over_machine_configuration(monkeypatch):
    monkeypatch.setenv("CATALOGUE_PYPI_URL", "http://127.0.0.1:9/simple/")
    monkeypatch.setenv("CATALOGUE_NPM_URL", "http://npm.test/")
    assert endpoints.pypi_base_url() == "http://127.0.0.1:9"
    assert endpoints.npm_registry_url() == "http://npm.test"
    assert (
        endpoints.pypi_base_url("http://mirror.test/root/pypi/simple")
        == "http://mirror.test/root/pypi"
    )


def test_pip_index_url_environment(monkeypatch):
    monkeypatch.delenv("CATALOGUE_PYPI_URL", raising=False)
    monkeypatch.setenv("PIP_INDEX_URL", "http://corp-mirror.test/simple")
    assert endpoints.pypi_base_url() == "http://corp-mirror.test"


def test_npmrc_is_read(tmp_path, monkeypatch):
    rc = tmp_path / ".npmrc"
    rc.write_text("; comment\nregistry=http://npm-mirror.test/\n")
    assert endpoints._registry_from_npmrc(rc) == "http://npm-mirror.test/"
    assert endpoints._registry_from_npmrc(tmp_path / "missing") is None


def test_falls_back_to_pip_default(monkeypatch):
    for name in ("CATALOGUE_PYPI_URL", "PIP_INDEX_URL"):
        monkeypatch.delenv(name, raising=False)
    url = endpoints.pypi_base_url()
    assert url.startswith("https://") and not url.endswith("/simple")
