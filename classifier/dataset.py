"""The labelled examples in classifier/data/*.jsonl, read for training and evaluation.

Files are split on "\\n" only: some descriptions hold U+2028 and other line
separators on purpose (see data/README.md). Lines that do not parse or lack a
known category are skipped, never fatal.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from mcp_domain import Category, ToolDefinition

DATA_DIR = Path(__file__).parent / "data"
# A server is held out when its seeded hash, read as a fraction, is below the share.
HOLDOUT_SHARE = 0.25
SPLIT_SEED = 20240611


@dataclass(frozen=True)
class Example:
    server: str
    tool: ToolDefinition
    category: Category
    risk: str
    flags: tuple[str, ...]
    source: str  # "<file>:<line>"


def data_files(directory: Path = DATA_DIR) -> list[Path]:
    return sorted(directory.glob("*.jsonl"))


def data_digest(directory: Path = DATA_DIR) -> str:
    digest = hashlib.sha256()
    for path in data_files(directory):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _example(row: object, source: str) -> Example | None:
    if not isinstance(row, dict):
        return None
    try:
        category = Category(row["category"])
        tool = ToolDefinition(
            name=str(row["name"]),
            description=row.get("description") or "",
            input_schema=row.get("inputSchema") if isinstance(row.get("inputSchema"), dict) else {},
            annotations=row.get("annotations") if isinstance(row.get("annotations"), dict) else {},
        )
    except (KeyError, ValueError, TypeError):
        return None
    flags = tuple(str(f) for f in row.get("flags") or ())
    return Example(
        str(row.get("server", "")), tool, category, str(row.get("risk", "")), flags, source
    )


def load_examples(directory: Path = DATA_DIR) -> list[Example]:
    """Every valid example, in file order then line order."""
    examples: list[Example] = []
    for path in data_files(directory):
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue
            example = _example(row, f"{path.name}:{number}")
            if example is not None:
                examples.append(example)
    return examples


def rule_examples(ruleset) -> list[Example]:
    """The positive examples of the rule files that name their category, as training rows."""
    found = []
    for rule in ruleset.rules:
        for ex in rule.examples.positive:
            if ex.category is None:
                continue
            tool = ToolDefinition(
                name=ex.name,
                description=ex.description,
                input_schema=ex.input_schema or {"type": "object"},
                annotations=ex.annotations,
            )
            found.append(Example(f"rule:{rule.id}", tool, ex.category, "", (), f"{rule.id}.toml"))
    return found


def without_overlap(extra: list[Example], held: list[Example]) -> list[Example]:
    """`extra` minus any row whose name and description equal a held-out tool's."""
    seen = {(e.tool.name, e.tool.description) for e in held}
    return [e for e in extra if (e.tool.name, e.tool.description) not in seen]


def held_out_share(server: str, seed: int = SPLIT_SEED) -> float:
    """The server's seeded hash read as a fraction in [0, 1): its place in the split."""
    digest = hashlib.sha256(f"{seed}:{server}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def is_held_out(server: str, holdout: float = HOLDOUT_SHARE, seed: int = SPLIT_SEED) -> bool:
    """Whether a server is held out: decided by its own name alone.

    No other server is consulted, so adding servers never moves an existing one
    across the split (a cut at a fixed count of a sorted list would).
    """
    return held_out_share(server, seed) < holdout


def server_split(
    examples: list[Example], holdout: float = HOLDOUT_SHARE, seed: int = SPLIT_SEED
) -> tuple[list[Example], list[Example]]:
    """(train, held-out): whole servers on one side only, each placed by `is_held_out`."""
    held = {e.server for e in examples if is_held_out(e.server, holdout, seed)}
    train = [e for e in examples if e.server not in held]
    test = [e for e in examples if e.server in held]
    return train, test
