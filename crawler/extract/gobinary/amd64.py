"""An x86-64 instruction decoder for the code the Go compiler emits.

Every instruction's length is decoded (legacy prefixes, REX, the one-, two-
and three-byte opcode maps, VEX and EVEX), so a function can be walked from
its entry. Only the instructions that carry values into calls are decoded in
full: MOV, LEA, XOR-zeroing, 16-byte SSE moves and CALL. For every other
instruction the decoder says which registers and which memory operand it may
write, so a reader tracking values can forget them.

Registers are numbered as in the encoding: 0 AX, 1 CX, 2 DX, 3 BX, 4 SP,
5 BP, 6 SI, 7 DI, 8-15 R8-R15; XMM registers 0-15 are kept apart.
"""

from __future__ import annotations

from dataclasses import dataclass

AX, CX, DX, BX, SP, BP, SI, DI = range(8)
RIP = 16
NO_REG = -1

# What an instruction does, as far as a value tracker cares.
OTHER = 0  # may write `writes` (registers) and `mem` when `mem_written`
LEA = 1  # reg <- address of mem
LOAD = 2  # reg <- [mem] (width bytes)
STORE = 3  # [mem] <- reg (width bytes)
MOVE = 4  # reg <- src (register to register)
LOAD_IMM = 5  # reg <- imm
STORE_IMM = 6  # [mem] <- imm (width bytes)
ZERO = 7  # reg <- 0 (XOR reg, reg)
CALL = 8  # call imm (absolute target)
CALL_INDIRECT = 9  # call through a register or memory
XMM_LOAD = 10  # xmm reg <- 16 bytes at mem
XMM_STORE = 11  # 16 bytes at mem <- xmm reg
XMM_MOVE = 12  # xmm reg <- xmm src
RETURN = 13
JUMP = 14  # unconditional jump; imm is the target when known
ADD_IMM = 15  # reg <- reg + imm (ADD, SUB with an immediate; INC, DEC), `width` bytes
BRANCH = 16  # conditional jump to imm; reg holds the condition code (5: not zero)
NOT_ZERO = 5


@dataclass(slots=True)
class Mem:
    base: int  # a register, RIP, or NO_REG
    index: int  # a register or NO_REG
    scale: int
    disp: int
    target: int = 0  # the absolute address when base is RIP


@dataclass(slots=True)
class Instruction:
    length: int
    kind: int = OTHER
    reg: int = NO_REG
    src: int = NO_REG
    mem: Mem | None = None
    imm: int = 0
    width: int = 8
    writes: tuple[int, ...] = ()
    xmm_writes: tuple[int, ...] = ()
    mem_written: bool = False


class Undecodable(Exception):
    """Bytes that are not an instruction this decoder knows."""


_PREFIXES = frozenset({0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65, 0x66, 0x67, 0xF0, 0xF2, 0xF3})
_INVALID = frozenset(
    {0x06, 0x07, 0x0E, 0x16, 0x17, 0x1E, 0x1F, 0x27, 0x2F, 0x37, 0x3F, 0x60, 0x61, 0x82}
    | {0x9A, 0xCE, 0xD4, 0xD5, 0xD6, 0xEA}
)

# Immediate sizes of the one-byte map: "b" imm8, "w" imm16, "z" imm32 (imm16 with 0x66).
_IMM1: dict[int, str] = {}
for _op in range(0x00, 0x40, 8):
    _IMM1[_op + 4], _IMM1[_op + 5] = "b", "z"
_IMM1.update({0x68: "z", 0x69: "z", 0x6A: "b", 0x6B: "b", 0x80: "b", 0x81: "z", 0x83: "b"})
_IMM1.update({0xA8: "b", 0xA9: "z", 0xC0: "b", 0xC1: "b", 0xC2: "w", 0xC6: "b", 0xC7: "z"})
_IMM1.update({0xCA: "w", 0xCD: "b", 0xE8: "z4", 0xE9: "z4", 0xEB: "b"})
_IMM1.update({op: "b" for op in range(0x70, 0x80)})
_IMM1.update({op: "b" for op in range(0xB0, 0xB8)})
_IMM1.update({op: "b" for op in range(0xE0, 0xE8)})

_MODRM1 = frozenset(
    [op for base in range(0x00, 0x40, 8) for op in range(base, base + 4)]
    + [0x62, 0x63, 0x69, 0x6B, 0x80, 0x81, 0x83]
    + list(range(0x84, 0x90))
    + [0xC0, 0xC1, 0xC6, 0xC7, 0xD0, 0xD1, 0xD2, 0xD3]
    + list(range(0xD8, 0xE0))
    + [0xF6, 0xF7, 0xFE, 0xFF]
)
_NO_MODRM2 = frozenset(
    [0x05, 0x06, 0x07, 0x08, 0x09, 0x0B, 0x0E, 0x77, 0xA0, 0xA1, 0xA2, 0xA8, 0xA9, 0xAA]
    + list(range(0x30, 0x38))
    + list(range(0xC8, 0xD0))
)
_IMM8_2 = frozenset({0x70, 0x71, 0x72, 0x73, 0xA4, 0xAC, 0xBA, 0xC2, 0xC4, 0xC5, 0xC6})
# Two-byte opcodes whose register field names an XMM register and that write no
# general register (moves, arithmetic and logic on vectors).
_XMM_ONLY2 = frozenset(
    [op for op in range(0x10, 0x18)]
    + [0x28, 0x29, 0x2A, 0x2B]
    + [op for op in range(0x51, 0x70) if op != 0x50]
    + [0x70, 0x74, 0x75, 0x76, 0x7C, 0x7D, 0x6F, 0x7F]
    + [0xC2, 0xC4, 0xC6]
    + [op for op in range(0xD0, 0x100) if op != 0xD7]
)
# Two-byte opcodes that only read (compare, test bits) or do nothing (NOP, prefetch).
_READ_ONLY2 = frozenset({0x0D, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F, 0x2E, 0x2F, 0xA3})


def decode(code: bytes | memoryview, pos: int, address: int) -> Instruction:
    """The instruction at `code[pos]`, which runs at `address`."""
    try:
        return _common(code, pos, address) or _decode(code, pos, address)
    except IndexError:
        raise Undecodable(f"instruction at {address:#x} runs past the code") from None


_WIDE_REX = frozenset({0x48, 0x49, 0x4C, 0x4D})
_MOVES = {0x89: STORE, 0x8B: LOAD, 0x8D: LEA}


def _common(code: bytes | memoryview, pos: int, address: int) -> Instruction | None:
    """The forms that make up most of the code walked, decoded without the general path:
    64-bit MOV to or from memory and LEA, addressed RIP-relative or by a base register
    plus a displacement. None for anything else."""
    rex = code[pos]
    if rex not in _WIDE_REX:
        return None
    kind = _MOVES.get(code[pos + 1])
    if kind is None:
        return None
    modrm = code[pos + 2]
    mod, rm = modrm >> 6, modrm & 7
    reg = ((modrm >> 3) & 7) | ((rex & 4) << 1)
    if mod == 0 and rm == 5:
        disp = int.from_bytes(code[pos + 3 : pos + 7], "little", signed=True)
        if pos + 7 > len(code):
            raise IndexError
        return Instruction(7, kind, reg, mem=Mem(RIP, NO_REG, 1, disp, address + 7 + disp))
    if mod not in (1, 2):
        return None
    at = pos + 3
    if rm == 4:
        if code[at] != 0x24:  # a SIB byte with an index: the general path
            return None
        at += 1
    base = rm | ((rex & 1) << 3)
    if mod == 1:
        disp = code[at] - 256 if code[at] > 127 else code[at]
        at += 1
    else:
        if at + 4 > len(code):
            raise IndexError
        disp = int.from_bytes(code[at : at + 4], "little", signed=True)
        at += 4
    return Instruction(at - pos, kind, reg, mem=Mem(base, NO_REG, 1, disp))


def _decode(code: bytes | memoryview, pos: int, address: int) -> Instruction:
    start = pos
    operand16 = address16 = False
    repeat = 0
    while code[pos] in _PREFIXES:
        prefix = code[pos]
        operand16 |= prefix == 0x66
        address16 |= prefix == 0x67
        if prefix in (0xF2, 0xF3):
            repeat = prefix
        pos += 1
        if pos - start > 14:
            raise Undecodable(f"too many prefixes at {address:#x}")
    rex = 0
    if code[pos] & 0xF0 == 0x40:
        rex = code[pos]
        pos += 1
    opcode = code[pos]
    pos += 1
    wide = bool(rex & 8)
    if opcode == 0x0F:
        return _two_byte(code, start, pos, address, rex, operand16, repeat)
    if opcode in (0xC4, 0xC5, 0x62):
        return _vector(code, start, pos, address, opcode)
    if opcode in _INVALID:
        raise Undecodable(f"opcode {opcode:#04x} at {address:#x}")
    width = 8 if wide else (2 if operand16 else 4)
    if opcode in _MODRM1:
        mod, reg, rm, mem, pos = _modrm(code, pos, rex)
        extra = _IMM1.get(opcode, "")
        if opcode == 0xF6 and reg < 2:
            extra = "b"
        elif opcode == 0xF7 and reg < 2:
            extra = "z"
        imm, pos = _immediate(code, pos, extra, operand16)
        insn = Instruction(pos - start, imm=imm, width=width)
        _fix_rip(mem, address + insn.length)
        _one_byte_modrm(insn, opcode, mod, reg, rm, mem, wide, width)
        return insn
    extra = _IMM1.get(opcode, "")
    if 0xB8 <= opcode <= 0xBF:
        extra = "q" if wide else "z4"
    elif 0xA0 <= opcode <= 0xA3:
        extra = "a4" if address16 else "q"
    imm, pos = _immediate(code, pos, extra, operand16)
    insn = Instruction(pos - start, imm=imm, width=width)
    _one_byte_plain(insn, opcode, rex, address)
    return insn


def _immediate(code: bytes | memoryview, pos: int, kind: str, operand16: bool) -> tuple[int, int]:
    if not kind:
        return 0, pos
    if kind == "b":
        return _signed(code[pos], 8), pos + 1
    if kind == "w" or (kind == "z" and operand16):
        return int.from_bytes(code[pos : pos + 2], "little"), pos + 2
    if kind in ("z", "z4", "a4"):
        if pos + 4 > len(code):
            raise IndexError
        return int.from_bytes(code[pos : pos + 4], "little", signed=True), pos + 4
    if pos + 8 > len(code):
        raise IndexError
    return int.from_bytes(code[pos : pos + 8], "little"), pos + 8  # "q"


def _signed(value: int, bits: int) -> int:
    return value - (1 << bits) if value >= 1 << (bits - 1) else value


def _modrm(code: bytes | memoryview, pos: int, rex: int) -> tuple[int, int, int, Mem | None, int]:
    """(mod, reg, rm register, memory operand, position after the operand)."""
    byte = code[pos]
    pos += 1
    mod, reg, rm = byte >> 6, ((byte >> 3) & 7) | ((rex & 4) << 1), byte & 7
    if mod == 3:
        return mod, reg, rm | ((rex & 1) << 3), None, pos
    base, index, scale = rm | ((rex & 1) << 3), NO_REG, 1
    if rm == 4:
        sib = code[pos]
        pos += 1
        scale = 1 << (sib >> 6)
        found = ((sib >> 3) & 7) | ((rex & 2) << 2)
        index = found if found != 4 else NO_REG
        base = (sib & 7) | ((rex & 1) << 3)
        if sib & 7 == 5 and mod == 0:
            base = NO_REG
            mod = 2  # a disp32 follows
    elif rm == 5 and mod == 0:
        base = RIP
        mod = 2
    if mod == 1:
        disp = _signed(code[pos], 8)
        pos += 1
    elif mod == 2:
        if pos + 4 > len(code):
            raise IndexError
        disp = int.from_bytes(code[pos : pos + 4], "little", signed=True)
        pos += 4
    else:
        disp = 0
    return byte >> 6, reg, NO_REG, Mem(base, index, scale, disp), pos


def _fix_rip(mem: Mem | None, next_address: int) -> None:
    if mem is not None and mem.base == RIP:
        mem.target = next_address + mem.disp


def _one_byte_modrm(
    insn: Instruction,
    opcode: int,
    mod: int,
    reg: int,
    rm: int,
    mem: Mem | None,
    wide: bool,
    width: int,
) -> None:
    insn.mem = mem
    group = reg & 7  # the opcode extension of group instructions
    if opcode == 0x8D and mem is not None:
        insn.kind, insn.reg = LEA, reg
    elif opcode in (0x89, 0x8B):
        to_reg = opcode == 0x8B
        if mem is None:
            insn.kind = MOVE
            insn.reg, insn.src = (reg, rm) if to_reg else (rm, reg)
        else:
            insn.kind, insn.reg = (LOAD if to_reg else STORE), reg
    elif opcode == 0xC7 and group == 0:
        if mem is None:
            insn.kind, insn.reg = LOAD_IMM, rm
            if not wide:
                insn.imm &= 0xFFFFFFFF
        else:
            insn.kind = STORE_IMM
    elif opcode == 0xC6 and group == 0 and mem is not None:
        insn.kind, insn.width = STORE_IMM, 1
    elif opcode in (0x81, 0x83) and group in (0, 5) and mem is None and width >= 4:
        insn.kind, insn.reg = ADD_IMM, rm
        insn.imm = insn.imm if group == 0 else -insn.imm
    elif opcode == 0xFF and group in (0, 1) and mem is None and width >= 4:
        insn.kind, insn.reg, insn.imm = ADD_IMM, rm, 1 if group == 0 else -1
    elif opcode in (0x31, 0x33, 0x29, 0x2B) and mem is None and reg == rm:
        insn.kind, insn.reg = ZERO, reg
    elif opcode == 0xFF and group == 2:
        insn.kind, insn.reg = CALL_INDIRECT, rm
    elif opcode == 0xFF and group == 4:
        insn.kind = JUMP
    elif _reads_only(opcode, group):
        insn.kind = OTHER
    else:
        _one_byte_writes(insn, opcode, group, reg, rm, mem)
    if insn.kind in (LOAD, STORE) and width != 8:
        insn.width = width


def _reads_only(opcode: int, group: int) -> bool:
    if 0x38 <= opcode <= 0x3B or opcode in (0x84, 0x85):
        return True  # CMP, TEST
    if opcode in (0x80, 0x81, 0x83) and group == 7:
        return True  # CMP with an immediate
    if opcode in (0xF6, 0xF7) and group < 2:
        return True  # TEST with an immediate
    return opcode == 0xFF and group == 6  # PUSH r/m


def _one_byte_writes(
    insn: Instruction, opcode: int, group: int, reg: int, rm: int, mem: Mem | None
) -> None:
    """Which operands an instruction not decoded in full may change."""
    writes: list[int] = []
    to_reg = opcode < 0x40 and opcode & 2 or opcode in (0x63, 0x69, 0x6B, 0x8A, 0x8B)
    if to_reg:
        writes.append(reg)
    elif mem is None:
        writes.append(rm)
    else:
        insn.mem_written = opcode not in (0xFF,) or group in (0, 1)
    if opcode in (0x86, 0x87):
        writes.append(reg)  # XCHG changes both
    if opcode in (0xF6, 0xF7) and group >= 4:
        writes += [AX, DX]  # MUL, DIV
    insn.writes = tuple(writes)


def _one_byte_plain(insn: Instruction, opcode: int, rex: int, address: int) -> None:
    low = (opcode & 7) | ((rex & 1) << 3)
    if opcode == 0xE8:
        insn.kind, insn.imm = CALL, address + insn.length + insn.imm
    elif opcode in (0xE9, 0xEB):
        insn.kind, insn.imm = JUMP, address + insn.length + insn.imm
    elif 0x70 <= opcode <= 0x7F:
        insn.kind, insn.reg = BRANCH, opcode & 0xF
        insn.imm = address + insn.length + insn.imm
    elif opcode in (0xC3, 0xC2):
        insn.kind = RETURN
    elif 0xB8 <= opcode <= 0xBF:
        insn.kind, insn.reg = LOAD_IMM, low
        if not rex & 8:
            insn.imm &= 0xFFFFFFFF
    elif 0xB0 <= opcode <= 0xB7 or 0x58 <= opcode <= 0x5F:
        insn.writes = (low,)  # MOV r8, imm8 and POP
    elif 0x91 <= opcode <= 0x97:
        insn.writes = (AX, low)  # XCHG with AX
    elif opcode in (0x98, 0x99):
        insn.writes = (AX, DX)  # CWDE, CDQ and friends
    elif opcode in (0xA4, 0xA5, 0xAA, 0xAB, 0xA6, 0xA7, 0xAE, 0xAF, 0xAC, 0xAD):
        insn.writes = (AX, CX, SI, DI)  # string instructions
        insn.mem_written = True
    elif 0xA0 <= opcode <= 0xA3 or 0x04 <= (opcode & 0xC7) <= 0x05 and opcode < 0x40:
        insn.writes = (AX,)


def _two_byte(
    code: bytes | memoryview,
    start: int,
    pos: int,
    address: int,
    rex: int,
    operand16: bool,
    repeat: int,
) -> Instruction:
    opcode = code[pos]
    pos += 1
    if opcode in (0x38, 0x3A):
        third = opcode
        pos += 1  # the third opcode byte
        mod, reg, rm, mem, pos = _modrm(code, pos, rex)
        imm, pos = _immediate(code, pos, "b" if third == 0x3A else "", False)
        insn = Instruction(pos - start, imm=imm, mem=mem)
        _fix_rip(mem, address + insn.length)
        insn.writes = (reg,) if mem is not None else (reg, rm)
        insn.xmm_writes = insn.writes
        insn.mem_written = mem is not None
        return insn
    if 0x80 <= opcode <= 0x8F:
        if pos + 4 > len(code):
            raise IndexError
        length = pos + 4 - start
        target = address + length + int.from_bytes(code[pos : pos + 4], "little", signed=True)
        return Instruction(length, kind=BRANCH, reg=opcode & 0xF, imm=target)
    if opcode in _NO_MODRM2:
        insn = Instruction(pos - start)
        if opcode in (0x31, 0xA2):
            insn.writes = (AX, BX, CX, DX)  # RDTSC, CPUID
        elif 0xC8 <= opcode <= 0xCF:
            insn.writes = ((opcode & 7) | ((rex & 1) << 3),)  # BSWAP
        elif opcode == 0x05:
            insn.writes = (AX, CX, 11)  # SYSCALL
        return insn
    mod, reg, rm, mem, pos = _modrm(code, pos, rex)
    imm, pos = _immediate(code, pos, "b" if opcode in _IMM8_2 else "", False)
    insn = Instruction(pos - start, imm=imm, mem=mem)
    _fix_rip(mem, address + insn.length)
    _two_byte_effects(insn, opcode, reg, rm, mem, operand16, repeat, bool(rex & 8))
    return insn


def _two_byte_effects(
    insn: Instruction,
    opcode: int,
    reg: int,
    rm: int,
    mem: Mem | None,
    operand16: bool,
    repeat: int,
    wide: bool,
) -> None:
    packed = repeat == 0 or (repeat == 0xF3 and opcode in (0x6F, 0x7F))
    if opcode in (0x10, 0x28, 0x6F) and packed and (opcode != 0x6F or operand16 or repeat):
        if mem is not None:
            insn.kind, insn.reg = XMM_LOAD, reg
        else:
            insn.kind, insn.reg, insn.src = XMM_MOVE, reg, rm
        return
    if opcode in (0x11, 0x29, 0x7F) and packed and (opcode != 0x7F or operand16 or repeat):
        if mem is not None:
            insn.kind, insn.reg = XMM_STORE, reg
        else:
            insn.kind, insn.reg, insn.src = XMM_MOVE, rm, reg
        return
    if opcode in _READ_ONLY2:
        return
    if opcode in _XMM_ONLY2 and not (opcode == 0x7E and operand16):
        if mem is None:
            insn.xmm_writes = (reg, rm)
        elif opcode in (0x11, 0x13, 0x17, 0x29, 0x2B, 0x7F, 0xD6, 0xE7):
            insn.mem_written = True  # scalar or non-temporal stores
        else:
            insn.xmm_writes = (reg,)
        return
    # Everything else (MOVZX, CMOV, SETcc, IMUL, BT*, SHLD, CMPXCHG, vector-to-general
    # moves, ...): assume any operand may change.
    insn.writes = (reg,) if mem is not None else (reg, rm)
    insn.xmm_writes = insn.writes
    insn.mem_written = mem is not None and opcode not in (0xAF, 0xB6, 0xB7, 0xBE, 0xBF)


def _vector(code: bytes | memoryview, start: int, pos: int, address: int, kind: int) -> Instruction:
    """VEX (C4, C5) and EVEX (62) encoded instructions: decoded for their length only."""
    if kind == 0xC5:
        inverted = code[pos]
        rex = 0 if inverted & 0x80 else 4
        opcode_map, pos = 1, pos + 1
    elif kind == 0xC4:
        first = code[pos]
        rex = (0 if first & 0x80 else 4) | (0 if first & 0x40 else 2) | (0 if first & 0x20 else 1)
        opcode_map, pos = first & 0x1F, pos + 2
    else:
        first = code[pos]
        rex = (0 if first & 0x80 else 4) | (0 if first & 0x40 else 2) | (0 if first & 0x20 else 1)
        opcode_map, pos = first & 0x07, pos + 3
    opcode = code[pos]
    pos += 1
    if opcode_map == 1 and opcode == 0x77:
        return Instruction(pos - start)  # VZEROUPPER
    mod, reg, rm, mem, pos = _modrm(code, pos, rex)
    has_imm = opcode_map == 3 or (opcode_map == 1 and opcode in _IMM8_2)
    imm, pos = _immediate(code, pos, "b" if has_imm else "", False)
    insn = Instruction(pos - start, imm=imm, mem=mem)
    _fix_rip(mem, address + insn.length)
    insn.writes = (reg,) if mem is not None else (reg, rm)
    insn.xmm_writes = tuple(range(16))
    insn.mem_written = mem is not None
    return insn
