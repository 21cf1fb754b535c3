"""Safe unpacking of sdists, wheels, npm tarballs, zips and plain folders.

Everything is read into memory within limits; nothing is written to disk, so a
hostile archive cannot escape a folder, plant a symlink or fill the disk. A
member that breaks a per-file rule is skipped with the reason recorded; an
archive that is corrupt or breaks a whole-archive limit raises ArchiveError.
"""

from __future__ import annotations

import io
import posixpath
import tarfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from crawler.files import PackageFiles
from mcp_domain import FileSkip

# Folders that never hold a server's own code and only cost time to read.
_IGNORED_PARTS = {"node_modules", ".git", "__pycache__", ".venv", "venv"}


# Magic numbers of compiled programs: their tool definitions cannot be read statically.
_EXECUTABLE_MAGIC = (
    (b"\x7fELF", "ELF"),
    (b"MZ", "Windows PE"),
    (b"\xcf\xfa\xed\xfe", "Mach-O"),
    (b"\xce\xfa\xed\xfe", "Mach-O"),
    (b"\xca\xfe\xba\xbe", "Mach-O universal"),
    (b"\x00asm", "WebAssembly"),
)
EXECUTABLE_NOTE = "a compiled executable"


def executable_kind(head: bytes) -> str | None:
    """The kind of compiled program these first bytes start, if any."""
    for magic, kind in _EXECUTABLE_MAGIC:
        if head.startswith(magic):
            return kind
    return None


# Machine numbers of x86-64 in ELF, Mach-O and PE headers.
_ELF_MACHINES = {62: "amd64", 183: "arm64", 3: "386", 40: "arm"}
_MACHO_CPUS = {0x01000007: "amd64", 0x0100000C: "arm64"}
_PE_MACHINES = {0x8664: "amd64", 0xAA64: "arm64", 0x14C: "386"}
# The architecture whose code the binary reader understands.
READABLE_ARCH = "amd64"


def executable_arch(head: bytes) -> str | None:
    """The processor an executable's first bytes say it is for, when they say."""
    kind = executable_kind(head)
    if kind == "ELF" and len(head) >= 20:
        return _ELF_MACHINES.get(int.from_bytes(head[18:20], "little"))
    if kind == "Mach-O" and len(head) >= 8:
        return _MACHO_CPUS.get(int.from_bytes(head[4:8], "little"))
    if kind == "Windows PE" and len(head) >= 0x40:
        at = int.from_bytes(head[0x3C:0x40], "little")
        if head[at : at + 4] == b"PE\x00\x00" and len(head) >= at + 6:
            return _PE_MACHINES.get(int.from_bytes(head[at + 4 : at + 6], "little"))
    return None


# Go servers' executables run to tens of megabytes; this leaves room under the archive total.
DEFAULT_MAX_EXECUTABLE_BYTES = 128 * 1024 * 1024


class ArchiveError(Exception):
    """The archive as a whole cannot be read."""


@dataclass(frozen=True)
class ArchiveLimits:
    max_members: int = 20_000
    max_file_bytes: int = 8 * 1024 * 1024
    max_total_bytes: int = 200 * 1024 * 1024
    # Members larger than this are skipped unless their name suggests code or a manifest.
    max_other_file_bytes: int = 512 * 1024
    # Compiled executables are kept up to this size, for the binary reader.
    max_executable_bytes: int = DEFAULT_MAX_EXECUTABLE_BYTES


_CODE_SUFFIXES = (
    ".py", ".pyi", ".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".tsx", ".jsx",
    ".go", ".json", ".toml", ".cfg", ".txt", ".yaml", ".yml", ".map", ".md",
)  # fmt: skip


def open_package(path: Path, limits: ArchiveLimits | None = None) -> PackageFiles:
    """Unpack a directory, .tar.gz/.tgz/.tar, .whl or .zip into memory."""
    limits = limits or ArchiveLimits()
    if path.is_dir():
        return _from_directory(path, limits)
    if not path.is_file():
        raise ArchiveError(f"{path}: no such file or directory")
    return unpack_bytes(path.read_bytes(), path.name, limits)


def unpack_bytes(data: bytes, filename: str, limits: ArchiveLimits | None = None) -> PackageFiles:
    """Unpack an archive held in memory; the kind is told by its name, then its magic bytes."""
    limits = limits or ArchiveLimits()
    lower = filename.lower()
    if lower.endswith((".whl", ".zip")) or data[:4] == b"PK\x03\x04":
        return _from_zip(data, limits)
    if (
        lower.endswith((".tar.gz", ".tgz", ".tar", ".tar.bz2", ".tar.xz"))
        or data[:2] == b"\x1f\x8b"
    ):
        return _from_tar(data, limits)
    raise ArchiveError(
        f"{filename}: not a recognised archive (expected .tar.gz, .tgz, .whl or .zip)"
    )


def _safe_member_path(name: str) -> str | None:
    """The member's path normalised, or None when it is absolute or climbs out."""
    name = name.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    norm = posixpath.normpath(name)
    if norm in (".", "") or norm.startswith("../") or norm == "..":
        return None
    return norm


class _Collector:
    """Applies the limits while members are added, then strips the top folder."""

    def __init__(self, limits: ArchiveLimits) -> None:
        self.limits = limits
        self.files: dict[str, bytes] = {}
        self.skipped: list[FileSkip] = []
        self.total = 0
        self.members = 0

    def count_member(self) -> None:
        self.members += 1
        if self.members > self.limits.max_members:
            raise ArchiveError(f"more than {self.limits.max_members} members")

    def wants(
        self, raw_name: str, size: int, head: Callable[[], bytes] = lambda: b""
    ) -> str | None:
        """The safe path to store the member under, or None after recording a skip.

        `head` reads the member's first bytes; it is called only for a member over the
        size limits, to keep an executable the binary reader can read and otherwise to
        say in the skip that it is a compiled executable.
        """
        path = _safe_member_path(raw_name)
        if path is None:
            self.skipped.append(FileSkip(file=raw_name, reason="unsafe path outside the package"))
            return None
        if _IGNORED_PARTS.intersection(path.split("/")):
            return None
        limit = self.limits.max_file_bytes
        if not path.lower().endswith(_CODE_SUFFIXES):
            limit = min(limit, self.limits.max_other_file_bytes)
        if size > limit:
            first = head()
            kind, arch = executable_kind(first), executable_arch(first)
            readable = arch == READABLE_ARCH and size <= self.limits.max_executable_bytes
            if not readable or self.total + size > self.limits.max_total_bytes:
                # Executables are kept only for the binary reader, within the package limits.
                what = f"; {EXECUTABLE_NOTE} ({kind}{f', {arch}' if arch else ''})" if kind else ""
                reason = f"file too large ({size} bytes{what})"
                self.skipped.append(FileSkip(file=path, reason=reason))
                return None
        if self.total + size > self.limits.max_total_bytes:
            raise ArchiveError(f"unpacked size exceeds {self.limits.max_total_bytes} bytes")
        return path

    def add(self, path: str, data: bytes) -> None:
        self.total += len(data)
        self.files[path] = data

    def result(self) -> PackageFiles:
        return PackageFiles(files=_strip_top_folder(self.files), skipped=self.skipped)


def _strip_top_folder(files: dict[str, bytes]) -> dict[str, bytes]:
    """Drop a single folder that holds every file (npm's "package/", an sdist's "name-1.0/")."""
    tops = {p.split("/", 1)[0] for p in files}
    if len(tops) != 1 or any("/" not in p for p in files):
        return files
    cut = len(next(iter(tops))) + 1
    return {p[cut:]: data for p, data in files.items()}


# A gzip stream that inflates to at most this many bytes is inflated in one call: tarfile
# reading through a gzip file object inflates in small pieces, at about a third more cost.
_INFLATE_AT_ONCE_BYTES = 64 * 1024 * 1024


def _inflated(data: bytes) -> bytes | None:
    """The tar inside a single-member gzip stream of modest size; None for anything else
    (another compression, a larger, corrupt or multi-member stream: read as before)."""
    # The trailer's size field (modulo 4 GiB) tells a large stream without inflating it.
    if data[:2] != b"\x1f\x8b" or int.from_bytes(data[-4:], "little") > _INFLATE_AT_ONCE_BYTES:
        return None
    inflater = zlib.decompressobj(wbits=31)
    try:
        tar = inflater.decompress(data, _INFLATE_AT_ONCE_BYTES)
    except zlib.error:
        return None
    if not inflater.eof or inflater.unused_data:
        return None
    return tar


def _from_tar(data: bytes, limits: ArchiveLimits) -> PackageFiles:
    inflated = _inflated(data)
    if inflated is not None:
        try:
            return _read_tar(inflated, "r:", limits)
        except ArchiveError:
            pass  # read again as it came, so that the error is told the same way
    return _read_tar(data, "r:*", limits)


def _read_tar(data: bytes, mode: str, limits: ArchiveLimits) -> PackageFiles:
    collector = _Collector(limits)
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode=mode) as tar:
            for member in tar:
                collector.count_member()
                if not member.isfile():
                    continue  # folders, symlinks, devices: nothing to read
                path = collector.wants(member.name, member.size, partial(_tar_head, tar, member))
                if path is None:
                    continue
                handle = tar.extractfile(member)
                if handle is None:
                    continue
                # At most the declared size: a tar member cannot give more than its header says.
                collector.add(path, handle.read(member.size))
    except (tarfile.TarError, EOFError, OSError, ValueError, zlib.error) as exc:
        raise ArchiveError(f"corrupt or truncated tar archive: {exc}") from exc
    return collector.result()


# Enough to hold an executable's header up to its machine field (PE's lies past a DOS stub).
_HEAD_BYTES = 512


def _tar_head(tar: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    handle = tar.extractfile(member)
    return handle.read(_HEAD_BYTES) if handle is not None else b""


def _zip_head(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    with archive.open(info) as handle:
        return handle.read(_HEAD_BYTES)


def _file_head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(_HEAD_BYTES)


def _from_zip(data: bytes, limits: ArchiveLimits) -> PackageFiles:
    collector = _Collector(limits)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                collector.count_member()
                if info.is_dir():
                    continue
                path = collector.wants(
                    info.filename, info.file_size, partial(_zip_head, archive, info)
                )
                if path is None:
                    continue
                with archive.open(info) as handle:
                    # Read one byte past the declared size: a lying header is caught here.
                    content = handle.read(info.file_size + 1)
                if len(content) > info.file_size:
                    collector.skipped.append(FileSkip(file=path, reason="size header is wrong"))
                    continue
                collector.add(path, content)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        EOFError,
        OSError,
        ValueError,
        zlib.error,
    ) as exc:
        raise ArchiveError(f"corrupt or truncated zip archive: {exc}") from exc
    except NotImplementedError as exc:  # an unsupported compression method
        raise ArchiveError(f"unsupported zip archive: {exc}") from exc
    return collector.result()


def _from_directory(root: Path, limits: ArchiveLimits) -> PackageFiles:
    collector = _Collector(limits)
    for path in sorted(root.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        collector.count_member()
        rel = path.relative_to(root).as_posix()
        stored = collector.wants(rel, path.stat().st_size, partial(_file_head, path))
        if stored is not None:
            collector.add(stored, path.read_bytes())
    # A folder is already its own root: do not strip anything.
    return PackageFiles(files=collector.files, skipped=collector.skipped)
