"""The x86-64 decoder on encodings the Go compiler emits, and the value tracker on them."""

from __future__ import annotations

import pytest

from crawler.extract.gobinary import amd64
from crawler.extract.gobinary.amd64 import Undecodable, decode

BASE = 0x401000

# (bytes as objdump prints them, length, kind)
CASES = [
    ("4c 8d 64 24 f8", 5, amd64.LEA),  # lea r12, [rsp-0x8]
    ("4c 3b 66 10", 4, amd64.OTHER),  # cmp rsp, [r14+0x10]
    ("0f 86 1a 01 00 00", 6, amd64.BRANCH),  # jbe rel32
    ("55", 1, amd64.OTHER),  # push rbp
    ("48 81 ec 60 01 00 00", 7, amd64.ADD_IMM),  # sub rsp, 0x160
    ("48 89 84 24 70 01 00 00", 8, amd64.STORE),  # mov [rsp+0x170], rax
    ("48 8b 8c 24 80 00 00 00", 8, amd64.LOAD),  # mov rcx, [rsp+0x80]
    ("48 8d 05 5f df c7 00", 7, amd64.LEA),  # lea rax, [rip+0xc7df5f]
    ("e8 3a ee 2b fe", 5, amd64.CALL),  # call rel32
    ("48 c7 80 f8 00 00 00 06 00 00 00", 11, amd64.STORE_IMM),  # mov qword [rax+0xf8], 6
    ("bf 0d 00 00 00", 5, amd64.LOAD_IMM),  # mov edi, 0xd
    ("31 c9", 2, amd64.ZERO),  # xor ecx, ecx
    ("44 0f 11 7c 24 20", 6, amd64.XMM_STORE),  # movups [rsp+0x20], xmm15
    ("44 0f 10 74 24 10", 6, amd64.XMM_LOAD),  # movups xmm14, [rsp+0x10]
    ("f2 0f 10 05 f3 05 28 00", 8, amd64.OTHER),  # movsd xmm0, [rip+...]
    ("c6 00 01", 3, amd64.STORE_IMM),  # mov byte [rax], 1
    ("ff d6", 2, amd64.CALL_INDIRECT),  # call rsi
    ("ff cb", 2, amd64.ADD_IMM),  # dec ebx
    ("75 fc", 2, amd64.BRANCH),  # jnz back
    ("66 0f 1f 44 00 00", 6, amd64.OTHER),  # nop word
    ("c5 fe 6f 06", 4, amd64.OTHER),  # vmovdqu ymm0, [rsi]
    ("62 f1 7c 48 10 06", 6, amd64.OTHER),  # vmovups zmm0, [rsi] (EVEX)
    ("c4 e3 7d 38 c1 01", 6, amd64.OTHER),  # vinserti128 (VEX map 3, imm8)
    ("48 b8 88 77 66 55 44 33 22 11", 10, amd64.LOAD_IMM),  # movabs rax, imm64
    ("f3 48 ab", 3, amd64.OTHER),  # rep stosq
    ("c3", 1, amd64.RETURN),
]


@pytest.mark.parametrize(("text", "length", "kind"), CASES)
def test_lengths_and_kinds(text: str, length: int, kind: int) -> None:
    code = bytes.fromhex(text.replace(" ", "")) + b"\xcc" * 16
    insn = decode(code, 0, BASE)
    assert (insn.length, insn.kind) == (length, kind)


def test_rip_relative_targets_and_immediates():
    lea = decode(bytes.fromhex("488d055fdfc700"), 0, 0x2166C5A)
    assert lea.reg == amd64.AX and lea.mem is not None and lea.mem.target == 0x2DE4BC0
    call = decode(bytes.fromhex("e83aee2bfe"), 0, 0x2166C61)
    assert call.imm == 0x425AA0
    store = decode(bytes.fromhex("48c780f800000006000000"), 0, BASE)
    assert (store.mem.base, store.mem.disp, store.imm) == (amd64.AX, 0xF8, 6)
    wide = decode(bytes.fromhex("48b88877665544332211"), 0, BASE)
    assert wide.imm == 0x1122334455667788


def test_sub_is_a_negative_add_and_dec_counts_down():
    assert decode(bytes.fromhex("4881ec60010000"), 0, BASE).imm == -0x160
    dec = decode(bytes.fromhex("ffcb"), 0, BASE)
    assert (dec.reg, dec.imm, dec.width) == (amd64.BX, -1, 4)


def test_truncated_and_invalid_bytes_are_undecodable():
    with pytest.raises(Undecodable):
        decode(bytes.fromhex("488d05"), 0, BASE)
    with pytest.raises(Undecodable):
        decode(bytes.fromhex("06"), 0, BASE)  # PUSH ES does not exist in 64-bit mode
    with pytest.raises(Undecodable):
        decode(b"\x66" * 20, 0, BASE)
