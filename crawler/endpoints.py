"""Where the registries are: settings first, then the machine's pip and npm configuration.

No registry hostname is written here. When nothing is configured, PyPI's
location is read from pip's own built-in default, and npm's from `npm config`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path


class EndpointError(Exception):
    """No endpoint could be found for a registry."""


def pypi_base_url(configured: str | None = None) -> str:
    """Base URL of a PyPI-compatible service (serving /simple/ and /pypi/<name>/json)."""
    url = configured or os.environ.get("CATALOGUE_PYPI_URL") or _pip_index_url()
    if not url:
        raise EndpointError(
            "no PyPI endpoint: set CATALOGUE_PYPI_URL or pip's index-url "
            "(pip config set global.index-url URL)"
        )
    return _strip_simple(url)


def npm_registry_url(configured: str | None = None) -> str:
    url = configured or os.environ.get("CATALOGUE_NPM_URL") or _npm_registry()
    if not url:
        raise EndpointError(
            "no npm registry: set CATALOGUE_NPM_URL or npm's registry (npm config set registry URL)"
        )
    return url.rstrip("/")


def _strip_simple(index_url: str) -> str:
    """pip's index URL points at the /simple/ page; the JSON API lives beside it."""
    return re.sub(r"/simple/?$", "", index_url.rstrip("/")) or index_url


def _pip_index_url() -> str | None:
    env = os.environ.get("PIP_INDEX_URL")
    if env:
        return env
    try:
        from pip._internal.configuration import Configuration
        from pip._internal.models.index import PyPI
    except ImportError:
        return None
    try:
        config = Configuration(isolated=False)
        config.load()
        for key, value in config.items():
            if key.endswith(".index-url") and key.split(".")[0] in (
                "global",
                "install",
                "download",
            ):
                return str(value)
    except Exception:  # a broken pip.conf should not hide pip's own default
        pass
    return PyPI.simple_url


def _npm_registry() -> str | None:
    env = os.environ.get("NPM_CONFIG_REGISTRY") or os.environ.get("npm_config_registry")
    if env:
        return env
    npm = shutil.which("npm")
    if npm:
        try:
            done = subprocess.run(
                [npm, "config", "get", "registry"],
                capture_output=True, text=True, timeout=20, check=False,
            )  # fmt: skip
            value = done.stdout.strip().splitlines()[-1:] if done.returncode == 0 else []
            if value and value[0].startswith(("http://", "https://")):
                return value[0]
        except (OSError, subprocess.SubprocessError):
            pass
    return _registry_from_npmrc(Path.home() / ".npmrc")


def _registry_from_npmrc(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "registry" and value.strip():
            return value.strip()
    return None
