"""The seam every registry implements, and the values it hands on."""

from __future__ import annotations

import base64
import hashlib
from typing import Protocol

from pydantic import BaseModel, Field

from crawler.http import FetchError, HttpClient


class SourceError(Exception):
    """A package could not be resolved or fetched; the message names the reason."""


class UnknownPackage(SourceError):
    """The registry has no such package or version."""


class HashMismatch(SourceError):
    """The downloaded artifact does not match the hash the registry published."""


class PackageSpec(BaseModel):
    """A package as the user names it: `pypi:name`, `pypi:name==1.0`, `npm:@scope/name@1.0`."""

    source: str
    name: str
    version: str | None = None

    def __str__(self) -> str:
        return f"{self.source}:{self.name}" + (f"@{self.version}" if self.version else "")


class Artifact(BaseModel):
    filename: str
    url: str
    size: int | None = None
    # Published digests by algorithm name ("sha256", "sha512", "sha1"), hex encoded.
    digests: dict[str, str] = Field(default_factory=dict)


class Release(BaseModel):
    source: str
    name: str
    version: str
    artifact: Artifact
    summary: str = ""
    homepage: str = ""
    repository: str = ""


class Source(Protocol):
    name: str

    def resolve(self, spec: PackageSpec) -> Release:
        """Find the release (latest when no version is given) and its artifact."""
        ...

    def download(self, release: Release) -> bytes:
        """Fetch the artifact and verify it against the published digest."""
        ...


def parse_spec(text: str) -> PackageSpec:
    """Parse `pypi:NAME[==VERSION]` or `npm:NAME[@VERSION]`; raises ValueError on other shapes."""
    source, sep, rest = text.partition(":")
    if not sep or source not in ("pypi", "npm") or not rest:
        raise ValueError(f"{text!r}: name a package as pypi:NAME[==VERSION] or npm:NAME[@VERSION]")
    if source == "pypi":
        name, _, version = rest.partition("==")
        if not version and "@" in name:
            name, _, version = name.partition("@")
    else:
        at = rest.rfind("@")
        name, version = (rest[:at], rest[at + 1 :]) if at > 0 else (rest, "")
    if not name.strip():
        raise ValueError(f"{text!r}: the package name is empty")
    if name.startswith("@") and "/" not in name:
        raise ValueError(f"{text!r}: a scoped npm name looks like @scope/name")
    return PackageSpec(source=source, name=name.strip(), version=version.strip() or None)


def download_verified(http: HttpClient, release: Release, source: str) -> bytes:
    """The release's artifact, checked against its published digest."""
    try:
        data = http.get_bytes(release.artifact.url)
    except FetchError as exc:
        raise SourceError(f"{source}:{release.name}: download failed: {exc}") from None
    verify_digest(data, release.artifact)
    return data


def verify_digest(data: bytes, artifact: Artifact) -> str:
    """Check `data` against the strongest published digest; returns its sha256 hex."""
    for algorithm in ("sha512", "sha256", "sha1"):
        expected = artifact.digests.get(algorithm)
        if expected:
            actual = hashlib.new(algorithm, data).hexdigest()
            if actual.lower() != expected.lower():
                raise HashMismatch(
                    f"{artifact.filename}: {algorithm} mismatch "
                    f"(registry says {expected[:16]}…, got {actual[:16]}…)"
                )
            break
    else:
        raise HashMismatch(f"{artifact.filename}: the registry published no digest to verify")
    return hashlib.sha256(data).hexdigest()


def sri_to_hex(integrity: str) -> tuple[str, str] | None:
    """Turn an npm SRI string ("sha512-<base64>") into (algorithm, hex)."""
    algorithm, _, encoded = integrity.strip().partition("-")
    if algorithm not in ("sha512", "sha256", "sha1") or not encoded:
        return None
    try:
        return algorithm, base64.b64decode(encoded, validate=True).hex()
    except ValueError:
        return None
