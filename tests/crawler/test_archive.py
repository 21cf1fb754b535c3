from __future__ import annotations

import gzip
import io
import tarfile
import zipfile

import pytest

from crawler import archive
from crawler.archive import ArchiveError, ArchiveLimits, open_package, unpack_bytes
from tests.registry import FIXTURES, npm_tarball, sdist


def _tar(members: dict[str, bytes], extra: list[tarfile.TarInfo] = (), mode: str = "w:gz") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for info in extra:
            tar.addfile(info)
    return buffer.getvalue()


def test_sdist_top_folder_is_stripped():
    name, data = sdist("weather_mcp", "weather-mcp", "1.0.0")
    package = unpack_bytes(data, name)
    assert "pyproject.toml" in package.files
    assert "src/weather_mcp/server.py" in package.files
    assert package.skipped == []


def test_npm_tarball_package_folder_is_stripped():
    name, data = npm_tarball("files_mcp", "@fixture/files-mcp", "0.3.0")
    package = unpack_bytes(data, name)
    assert sorted(package.files) == ["dist/descriptions.js", "dist/index.js", "package.json"]


def test_wheel_is_read_as_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as wheel:
        wheel.writestr("demo/__init__.py", "x = 1\n")
        wheel.writestr(
            "demo-1.0.dist-info/entry_points.txt", "[console_scripts]\ndemo = demo:main\n"
        )
    package = unpack_bytes(buffer.getvalue(), "demo-1.0-py3-none-any.whl")
    assert package.files["demo/__init__.py"] == b"x = 1\n"
    assert "demo-1.0.dist-info/entry_points.txt" in package.files


def test_path_traversal_and_links_are_not_unpacked():
    link = tarfile.TarInfo("pkg/evil-link")
    link.type = tarfile.SYMTYPE
    link.linkname = "/etc/passwd"
    data = _tar(
        {"pkg/ok.py": b"a = 1\n", "../escape.py": b"b = 2\n", "/abs.py": b"c = 3\n"}, [link]
    )
    package = unpack_bytes(data, "x.tar.gz")
    assert list(package.files) == ["ok.py"]  # the lone top folder is stripped
    assert {s.file for s in package.skipped} == {"../escape.py", "/abs.py"}
    assert all("unsafe path" in s.reason for s in package.skipped)


def test_oversized_member_is_skipped_with_reason():
    data = _tar({"pkg/big.py": b"#" * 5000, "pkg/small.py": b"x = 1\n"})
    package = unpack_bytes(data, "x.tar.gz", ArchiveLimits(max_file_bytes=1000))
    assert list(package.files) == ["small.py"]
    assert package.skipped[0].file == "pkg/big.py"
    assert "too large" in package.skipped[0].reason


def test_total_size_limit_stops_the_archive():
    data = _tar({f"pkg/f{i}.py": b"#" * 600 for i in range(10)})
    with pytest.raises(ArchiveError, match="unpacked size"):
        unpack_bytes(data, "x.tar.gz", ArchiveLimits(max_total_bytes=3000))


def test_too_many_members():
    data = _tar({f"pkg/f{i}.py": b"" for i in range(30)})
    with pytest.raises(ArchiveError, match="more than 20 members"):
        unpack_bytes(data, "x.tar.gz", ArchiveLimits(max_members=20))


@pytest.mark.parametrize(
    "data, filename",
    [
        (b"not an archive", "x.tar.gz"),
        (b"\x1f\x8b\x08\x00garbage", "x.tgz"),
        (b"PK\x03\x04garbage", "x.whl"),
    ],
)
def test_corrupt_archives_raise_archive_error(data, filename):
    with pytest.raises(ArchiveError):
        unpack_bytes(data, filename)


def test_truncated_archive_raises_archive_error():
    name, data = sdist("weather_mcp", "weather-mcp", "1.0.0")
    with pytest.raises(ArchiveError, match="corrupt or truncated"):
        unpack_bytes(data[: len(data) // 2], name)


def test_unknown_kind_is_refused():
    with pytest.raises(ArchiveError, match="not a recognised archive"):
        unpack_bytes(b"plain text", "notes.txt")


def test_directory_is_read_as_is(tmp_path):
    package = open_package(FIXTURES / "notes_server")
    assert "src/notes_server/server.py" in package.files
    with pytest.raises(ArchiveError, match="no such file"):
        open_package(tmp_path / "missing.tar.gz")


def test_oversized_executable_is_named_as_one_in_tar_and_zip():
    elf = b"\x7fELF\x02\x01\x01" + b"\x00" * 5000
    package = unpack_bytes(
        _tar({"pkg/bin/server": elf, "pkg/notes.bin": b"\x00" * 5000}),
        "x.tar.gz",
        ArchiveLimits(max_other_file_bytes=1000),
    )
    reasons = {s.file: s.reason for s in package.skipped}
    assert reasons["pkg/bin/server"] == "file too large (5007 bytes; a compiled executable (ELF))"
    assert reasons["pkg/notes.bin"] == "file too large (5000 bytes)"

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as wheel:
        wheel.writestr("demo/bin/server.exe", b"MZ" + b"\x90" * 5000)
    package = unpack_bytes(
        buffer.getvalue(), "demo-1.0-py3-none-any.whl", ArchiveLimits(max_other_file_bytes=1000)
    )
    assert package.skipped[0].reason.endswith("; a compiled executable (Windows PE))")


def _elf_head(machine: int) -> bytes:
    return b"\x7fELF\x02\x01\x01" + b"\x00" * 11 + machine.to_bytes(2, "little")


def test_amd64_executables_are_kept_for_the_binary_reader_within_their_limit():
    amd64 = _elf_head(62) + b"\x00" * 5000
    arm64 = _elf_head(183) + b"\x00" * 5000
    limits = ArchiveLimits(max_other_file_bytes=1000, max_executable_bytes=6000)
    package = unpack_bytes(_tar({"pkg/bin/x64": amd64, "pkg/bin/arm": arm64}), "x.tgz", limits)
    assert package.files["bin/x64"] == amd64
    reasons = {s.file: s.reason for s in package.skipped}
    # Skips keep the member's own path; the top folder is stripped from kept files only.
    assert reasons == {
        "pkg/bin/arm": "file too large (5020 bytes; a compiled executable (ELF, arm64))"
    }
    small = ArchiveLimits(max_other_file_bytes=1000, max_executable_bytes=4000)
    package = unpack_bytes(_tar({"pkg/bin/x64": amd64}), "x.tgz", small)
    assert package.skipped[0].reason.endswith("a compiled executable (ELF, amd64))")


def test_an_executable_over_the_package_total_is_skipped_not_fatal():
    amd64 = _elf_head(62) + b"\x00" * 5000
    limits = ArchiveLimits(max_other_file_bytes=1000, max_total_bytes=3000)
    package = unpack_bytes(_tar({"pkg/bin/x64": amd64, "pkg/a.py": b"x = 1\n"}), "x.tgz", limits)
    assert set(package.files) == {"a.py"}
    assert package.skipped[0].file == "pkg/bin/x64"


def _members(tar_gz: bytes) -> dict[str, bytes]:
    return unpack_bytes(tar_gz, "x.tar.gz").files


def _plain_tar(members: dict[str, bytes]) -> bytes:
    return _tar(members, mode="w")


_FILES = {"pkg/a.py": b"a = 1\n" * 300, "pkg/b/c.js": b"export const c = 2;\n" * 200}


def test_a_gzip_stream_in_two_members_is_read_whole():
    tar = _plain_tar(_FILES)
    half = len(tar) // 2
    data = gzip.compress(tar[:half]) + gzip.compress(tar[half:])
    assert _members(data) == {"a.py": _FILES["pkg/a.py"], "b/c.js": _FILES["pkg/b/c.js"]}


def test_a_stream_above_the_one_call_size_is_read_in_pieces(monkeypatch):
    data = _tar(_FILES)
    assert archive._inflated(data) is not None  # inflated in one call at the default size
    whole = _members(data)
    monkeypatch.setattr(archive, "_INFLATE_AT_ONCE_BYTES", 1000)
    assert archive._inflated(data) is None
    assert _members(data) == whole == {"a.py": _FILES["pkg/a.py"], "b/c.js": _FILES["pkg/b/c.js"]}


@pytest.mark.parametrize("damage", ["truncated", "not a tar"])
def test_a_broken_gzip_tar_is_refused_in_the_words_of_the_stream_reader(damage):
    if damage == "truncated":
        data = _tar(_FILES)[:-40]
    else:
        data = gzip.compress(b"this is not a tar archive at all" * 40)
    with pytest.raises(ArchiveError) as refused:
        unpack_bytes(data, "x.tar.gz")
    with pytest.raises(ArchiveError) as streamed:
        archive._read_tar(data, "r:*", ArchiveLimits())
    assert str(refused.value) == str(streamed.value)
    assert str(refused.value).startswith("corrupt or truncated tar archive")
