"""npm and npm-compatible registries, through the package document at /<name>."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from crawler.http import FetchError, HttpClient, NotFound
from crawler.sources.base import (
    Artifact,
    PackageSpec,
    Release,
    SourceError,
    UnknownPackage,
    download_verified,
    sri_to_hex,
)


class NpmSource:
    name = "npm"

    def __init__(self, registry_url: str, http: HttpClient) -> None:
        self.registry_url = registry_url.rstrip("/")
        self.http = http

    def resolve(self, spec: PackageSpec) -> Release:
        # Scoped names keep their "@" but escape the slash, as npm clients do.
        url = f"{self.registry_url}/{quote(spec.name, safe='@')}"
        try:
            document = self.http.get_json(url)
        except NotFound:
            raise UnknownPackage(f"npm:{spec.name}: package not found on the registry") from None
        except FetchError as exc:
            raise SourceError(f"npm:{spec.name}: {exc}") from None
        return _release_from_document(spec, document)

    def download(self, release: Release) -> bytes:
        return download_verified(self.http, release, "npm")


def _release_from_document(spec: PackageSpec, document: Any) -> Release:
    if not isinstance(document, dict) or not isinstance(document.get("versions"), dict):
        raise SourceError(f"npm:{spec.name}: unexpected JSON shape from the registry")
    versions = document["versions"]
    tags = document.get("dist-tags") if isinstance(document.get("dist-tags"), dict) else {}
    version = spec.version or tags.get("latest")
    if spec.version in tags:  # a tag such as "next" names a version
        version = tags[spec.version]
    manifest = versions.get(version) if isinstance(version, str) else None
    if not isinstance(manifest, dict):
        what = f"version {spec.version}" if spec.version else "latest version"
        raise UnknownPackage(f"npm:{spec.name}: {what} not found on the registry")
    dist = manifest.get("dist") if isinstance(manifest.get("dist"), dict) else {}
    tarball = dist.get("tarball")
    if not isinstance(tarball, str) or not tarball:
        raise SourceError(f"npm:{spec.name} {version}: the release has no tarball")
    repository = manifest.get("repository")
    if isinstance(repository, dict):
        repository = repository.get("url", "")
    return Release(
        source="npm",
        name=spec.name,
        version=str(version),
        artifact=Artifact(
            filename=tarball.rsplit("/", 1)[-1],
            url=tarball,
            digests=_digests(dist),
        ),
        summary=str(manifest.get("description") or ""),
        homepage=str(manifest.get("homepage") or ""),
        repository=str(repository or ""),
    )


def _digests(dist: dict[str, Any]) -> dict[str, str]:
    digests: dict[str, str] = {}
    integrity = dist.get("integrity")
    if isinstance(integrity, str):
        parsed = sri_to_hex(integrity.split()[0])
        if parsed:
            digests[parsed[0]] = parsed[1]
    if isinstance(dist.get("shasum"), str):
        digests["sha1"] = dist["shasum"]
    return digests
