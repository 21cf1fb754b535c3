"""PyPI and PyPI-compatible services, through the JSON API at /pypi/<name>/json."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urljoin

from crawler.http import FetchError, HttpClient, NotFound
from crawler.sources.base import (
    Artifact,
    PackageSpec,
    Release,
    SourceError,
    UnknownPackage,
    verify_digest,
)


class PyPISource:
    name = "pypi"

    def __init__(self, base_url: str, http: HttpClient) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self.http = http

    def resolve(self, spec: PackageSpec) -> Release:
        path = f"pypi/{quote(spec.name, safe='')}/"
        if spec.version:
            path += f"{quote(spec.version, safe='')}/"
        url = urljoin(self.base_url, path + "json")
        try:
            document = self.http.get_json(url)
        except NotFound:
            what = f"version {spec.version}" if spec.version else "package"
            raise UnknownPackage(f"pypi:{spec.name}: {what} not found on the index") from None
        except FetchError as exc:
            raise SourceError(f"pypi:{spec.name}: {exc}") from None
        return _release_from_document(spec, document, url)

    def download(self, release: Release) -> bytes:
        try:
            data = self.http.get_bytes(release.artifact.url)
        except FetchError as exc:
            raise SourceError(f"pypi:{release.name}: download failed: {exc}") from None
        verify_digest(data, release.artifact)
        return data


def _release_from_document(spec: PackageSpec, document: Any, url: str) -> Release:
    if not isinstance(document, dict) or not isinstance(document.get("info"), dict):
        raise SourceError(f"pypi:{spec.name}: unexpected JSON shape from the index")
    info = document["info"]
    version = str(info.get("version") or spec.version or "")
    files = document.get("urls")
    if not isinstance(files, list) or not files:
        raise SourceError(f"pypi:{spec.name} {version}: the release has no files")
    chosen = _choose_file([f for f in files if isinstance(f, dict)])
    if chosen is None:
        raise SourceError(f"pypi:{spec.name} {version}: no sdist or wheel among the release's files")
    digests = {k: str(v) for k, v in (chosen.get("digests") or {}).items() if k in ("sha256",)}
    project_urls = info.get("project_urls") or {}
    return Release(
        source="pypi",
        name=str(info.get("name") or spec.name),
        version=version,
        artifact=Artifact(
            filename=str(chosen.get("filename", "")),
            url=urljoin(url, str(chosen.get("url", ""))),
            size=chosen.get("size") if isinstance(chosen.get("size"), int) else None,
            digests=digests,
        ),
        summary=str(info.get("summary") or ""),
        homepage=str(info.get("home_page") or project_urls.get("Homepage") or ""),
        repository=str(project_urls.get("Repository") or project_urls.get("Source") or ""),
    )


def _choose_file(files: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The sdist when there is one, else the most portable wheel."""
    live = [f for f in files if not f.get("yanked") and f.get("url") and f.get("filename")]
    sdists = [f for f in live if f.get("packagetype") == "sdist"]
    if sdists:
        return sdists[0]
    wheels = [f for f in live if str(f.get("filename", "")).endswith(".whl")]
    wheels.sort(key=lambda f: (not str(f["filename"]).endswith("-none-any.whl"), f["filename"]))
    return wheels[0] if wheels else None
