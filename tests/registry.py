"""A fake PyPI and a fake npm registry, served on loopback from fixture folders.

Archives are built from the folders under tests/fixtures/packages at test time,
deterministically, so the fixtures stay readable source files.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

FIXTURES = Path(__file__).parent / "fixtures" / "packages"


def tar_gz(folder: Path, prefix: str) -> bytes:
    """A reproducible .tar.gz of `folder`, every member under `prefix/`."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                data = path.read_bytes()
                info = tarfile.TarInfo(f"{prefix}/{path.relative_to(folder).as_posix()}")
                info.size = len(data)
                info.mtime = 1_700_000_000
                tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def sdist(folder: str, name: str, version: str) -> tuple[str, bytes]:
    stem = f"{name.replace('-', '_')}-{version}"
    return f"{stem}.tar.gz", tar_gz(FIXTURES / folder, stem)


def npm_tarball(folder: str, name: str, version: str) -> tuple[str, bytes]:
    return f"{name.rsplit('/', 1)[-1]}-{version}.tgz", tar_gz(FIXTURES / folder, "package")


@dataclass
class Published:
    filename: str
    data: bytes
    # What the registry claims; defaults to the truth.
    sha256: str | None = None

    def claimed_sha256(self) -> str:
        return self.sha256 or hashlib.sha256(self.data).hexdigest()


@dataclass
class FakeRegistry:
    pypi: dict[str, dict[str, Published]] = field(default_factory=dict)
    npm: dict[str, dict[str, Published]] = field(default_factory=dict)
    # Paths that answer with a status instead of content, e.g. {"/pypi/flaky/json": [503, 200]}.
    statuses: dict[str, list[int]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    # Packages whose per-version JSON is missing, as on mirrors that serve only /pypi/<name>/json.
    project_only: set[str] = field(default_factory=set)
    base_url: str = ""

    def add_pypi(self, name: str, version: str, artifact: Published) -> None:
        self.pypi.setdefault(name, {})[version] = artifact

    def add_npm(self, name: str, version: str, artifact: Published) -> None:
        self.npm.setdefault(name, {})[version] = artifact

    # --- documents -------------------------------------------------------
    def pypi_document(
        self, name: str, version: str | None, with_releases: bool = True
    ) -> dict | None:
        versions = self.pypi.get(name)
        if not versions:
            return None
        version = version or max(versions, key=_version_key)
        published = versions.get(version)
        if published is None:
            return None
        document = {
            "info": {"name": name, "version": version, "summary": f"{name} fixture",
                     "project_urls": {"Repository": f"https://code.test/{name}"}},
            "urls": [{
                "filename": published.filename,
                "packagetype": "sdist" if published.filename.endswith(".tar.gz") else "bdist_wheel",
                "url": f"{self.base_url}/files/{published.filename}",
                "size": len(published.data),
                "digests": {"sha256": published.claimed_sha256()},
            }],
        }  # fmt: skip
        if with_releases:
            document["releases"] = {
                v: self.pypi_document(name, v, False)["urls"]
                for v in versions  # type: ignore[index]
            }
        return document

    def npm_document(self, name: str) -> dict | None:
        versions = self.npm.get(name)
        if not versions:
            return None
        docs = {}
        for version, published in versions.items():
            sha512 = hashlib.sha512(published.data).digest()
            docs[version] = {
                "name": name, "version": version, "description": f"{name} fixture",
                "dist": {
                    "tarball": f"{self.base_url}/tarballs/{published.filename}",
                    "integrity": "sha512-" + base64.b64encode(sha512).decode(),
                    "shasum": hashlib.sha1(published.data).hexdigest(),
                },
            }  # fmt: skip
        return {
            "name": name,
            "dist-tags": {"latest": max(versions, key=_version_key)},
            "versions": docs,
        }

    def file(self, filename: str) -> bytes | None:
        for versions in (*self.pypi.values(), *self.npm.values()):
            for published in versions.values():
                if published.filename == filename:
                    return published.data
        return None

    # --- serving ----------------------------------------------------------
    def answer(self, raw_path: str) -> tuple[int, bytes]:
        self.requests.append(raw_path)
        planned = self.statuses.get(raw_path)
        if planned:
            status = planned.pop(0)
            if status != 200:
                return status, b"{}"
        path = unquote(raw_path)
        parts = [p for p in path.split("/") if p]
        body: object = None
        if len(parts) >= 3 and parts[0] == "pypi" and parts[-1] == "json":
            if len(parts) == 4 and parts[1] in self.project_only:
                return 404, b"{}"
            body = self.pypi_document(
                parts[1], parts[2] if len(parts) == 4 else None, len(parts) == 3
            )
        elif len(parts) == 2 and parts[0] in ("files", "tarballs"):
            data = self.file(parts[1])
            return (200, data) if data is not None else (404, b"")
        elif parts and parts[0] not in ("pypi", "files", "tarballs"):
            body = self.npm_document("/".join(parts))
        if body is None:
            return 404, b'{"error": "not found"}'
        return 200, json.dumps(body).encode()


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in version.split("."))


class _Handler(BaseHTTPRequestHandler):
    registry: FakeRegistry

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        status, body = self.registry.answer(self.path)
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def serve(registry: FakeRegistry) -> tuple[ThreadingHTTPServer, threading.Thread]:
    handler = type("Handler", (_Handler,), {"registry": registry})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    registry.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    return server, thread
