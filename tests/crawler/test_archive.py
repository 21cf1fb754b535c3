from __future__ import annotations

import io
import tarfile
import zipfile

import pytest

from crawler.archive import ArchiveError, ArchiveLimits, open_package, unpack_bytes
from tests.registry import FIXTURES, npm_tarball, sdist


def _tar(members: dict[str, bytes], extra: list[tarfile.TarInfo] = ()) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
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
