"""Corrupt, truncated and adversarial executables give a recorded skip, never an exception,
and every walk stops within its budget."""

from __future__ import annotations

import random
import struct

from crawler.extract.gobinary.reader import read_binary
from crawler.extract.package import extract_package
from crawler.files import PackageFiles
from tests.extract.gobinary_builder import AX, BX, CX, DI, RODATA, SI, SP, GoElf
from tests.extract.test_gobinary import MCP, generic_helper_server, mcp_go_server


def test_truncated_files_are_skipped_with_a_reason():
    data = mcp_go_server().build()
    for length in (0, 3, 4, 20, 63, 64, 200, 4096, len(data) // 2, len(data) - 1):
        report = read_binary(data[:length])
        assert report.found == []
        assert report.skip


def test_section_table_pointing_outside_the_file():
    data = bytearray(mcp_go_server().build())
    struct.pack_into("<Q", data, 0x28, len(data) + 4096)  # e_shoff
    assert read_binary(bytes(data)).skip.startswith("unreadable:")


def test_huge_section_and_function_counts():
    data = bytearray(mcp_go_server().build())
    struct.pack_into("<H", data, 0x3C, 0xFFFF)  # e_shnum
    assert "implausible section table" in read_binary(bytes(data)).skip
    data = bytearray(mcp_go_server().build())
    table = bytes(data).find(struct.pack("<I", 0xFFFFFFF1) + b"\x00\x00\x01\x08")
    struct.pack_into("<Q", data, table + 8, 1 << 40)  # nfunc
    assert "function table claims" in read_binary(bytes(data)).skip


def test_random_corruption_never_raises():
    original = mcp_go_server().build()
    rng = random.Random(20261121)
    for _ in range(300):
        data = bytearray(original)
        for _ in range(rng.randint(1, 40)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        report = read_binary(bytes(data), steps=20_000, seconds=2.0)
        assert isinstance(report.found, list)


def test_a_package_with_a_corrupt_executable_still_extracts():
    data = bytearray(generic_helper_server().build())
    data[0x2000:0x2400] = b"\xff" * 0x400
    result = extract_package(PackageFiles(files={"bin/srv": bytes(data)}))
    assert isinstance(result.notes, list)


def test_a_loop_that_never_ends_is_cut_by_the_budget():
    elf = GoElf()
    elf.declare("main.spin")
    # mov ebx, 0xffffffff; again: dec ebx; jnz again; (and a JMP to itself after it)
    body = elf.asm("main.spin").mov_imm(BX, 0xFFFFFFFF).raw(b"\xff\xcb\x75\xfc\xeb\xfe").ret()
    elf.define("main.spin", body)
    report = read_binary(elf.build(), steps=1_000_000, seconds=5.0)
    assert report.found == [] and report.skip == ""


def test_the_step_budget_stops_a_long_walk():
    report = read_binary(mcp_go_server().build(), steps=5)
    assert report.found == []
    assert report.problems == ["stopped early: step budget used up"]


def test_a_struct_type_that_contains_itself_is_read_to_a_bounded_depth():
    elf = GoElf()
    helper = 'example.test/srv/tools.MustTool[go.shape.struct { Next string "json:\\"next\\"" }]'
    init = "example.test/srv/tools.init"
    elf.declare(f"{MCP}.NewTool", helper, init)
    string_type = elf.type(24, 16, "string")
    # Build the struct, then point its one field's type back at the struct itself.
    own = elf.struct_type("tools.Loop", [("Next", string_type, 0, 'json:"next"')])
    fields_at = struct.unpack_from("<Q", elf.rodata, own - RODATA + 56)[0]
    struct.pack_into("<Q", elf.rodata, fields_at - RODATA + 8, own)
    dictionary = elf.words(own)
    h = elf.asm(helper).store(SP, 0x88, BX).store(SP, 0x90, CX)
    h.load(AX, SP, 0x88).load(BX, SP, 0x90).zero(DI).zero(SI)
    elf.define(helper, h.call(elf.entry(f"{MCP}.NewTool")).ret())
    name, length = elf.string("loop_tool")
    text, text_length = elf.string("A tool whose input refers to itself.")
    a = elf.asm(init).lea_rip(AX, dictionary).lea_rip(BX, name).mov_imm(CX, length)
    a.lea_rip(DI, text).mov_imm(SI, text_length).call(elf.entry(helper)).ret()
    elf.define(init, a)
    report = read_binary(elf.build())
    assert [f.draft.name for f in report.found] == ["loop_tool"]
    # The field's type is the struct itself: read once, then left open rather than followed.
    assert report.found[0].draft.properties == {"next": {}}


def test_a_bug_in_the_binary_reader_becomes_a_note(monkeypatch):
    import crawler.extract.gobinary.extract as extract

    def broken(data, **_):
        raise KeyError("bug")

    monkeypatch.setattr(extract, "read_binary", broken)
    result = extract_package(PackageFiles(files={"bin/srv": mcp_go_server().build()}))
    assert result.tools == []
    assert "compiled executable extraction stopped: KeyError: 'bug'" in result.notes
