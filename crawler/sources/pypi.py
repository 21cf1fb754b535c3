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
    download_verified,
)


class PyPISource:
    name = "pypi"

    def __init__(self, base_url: str, http: HttpClient) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self.http = http

    def resolve(self, spec: PackageSpec) -> Release:
        project_url = urljoin(self.base_url, f"pypi/{quote(spec.name, safe='')}/json")
        if spec.version:
            version_url = project_url[: -len("json")] + f"{quote(spec.version, safe='')}/json"
            document = self._get(spec, version_url, missing_ok=True)
            if document is not None:
                return _release_from_document(spec, document, version_url)
            # Some mirrors serve only the project document; its "releases" has every version.
            project = self._get(spec, project_url)
            return _release_from_document(spec, _pinned_view(spec, project), project_url)
        return _release_from_document(spec, self._get(spec, project_url), project_url)

    def _get(self, spec: PackageSpec, url: str, missing_ok: bool = False) -> Any:
        try:
            return self.http.get_json(url)
        except NotFound:
            if missing_ok:
                return None
            raise UnknownPackage(f"pypi:{spec.name}: package not found on the index") from None
        except FetchError as exc:
            raise SourceError(f"pypi:{spec.name}: {exc}") from None

    def download(self, release: Release) -> bytes:
        return download_verified(self.http, release, "pypi")


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
        raise SourceError(
            f"pypi:{spec.name} {version}: no sdist or wheel among the release's files"
        )
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


def _pinned_view(spec: PackageSpec, project: Any) -> dict[str, Any]:
    """The project document narrowed to the pinned version, shaped like a version document."""
    releases = project.get("releases") if isinstance(project, dict) else None
    files = releases.get(spec.version) if isinstance(releases, dict) else None
    if not isinstance(files, list):
        raise UnknownPackage(f"pypi:{spec.name}: version {spec.version} not found on the index")
    info = dict(project.get("info") or {})
    info["version"] = spec.version
    return {"info": info, "urls": files}


def _choose_file(files: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The sdist when there is one, else the most portable wheel."""
    live = [f for f in files if not f.get("yanked") and f.get("url") and f.get("filename")]
    sdists = [f for f in live if f.get("packagetype") == "sdist"]
    if sdists:
        return sdists[0]
    wheels = [f for f in live if str(f.get("filename", "")).endswith(".whl")]
    wheels.sort(key=lambda f: (not str(f["filename"]).endswith("-none-any.whl"), f["filename"]))
    return wheels[0] if wheels else None
