"""Defaults of a server's command-line options, read from its option declarations.

A server started with no arguments runs with these defaults, so guards such as
`if (args.slim)` or `isAvailableInMode(tool, serverArgs)` can be decided for the
default configuration. Recognised shapes (yargs and look-alikes):

  const options = { slim: {type: 'boolean', default: false, describe: '...'}, ... }
  yargs.option('slim', {type: 'boolean', default: false, describe: '...'})
  { ...builtOptions(), slim: {...} }   (a spread table whose values are options too)

An option declared without `default` is undefined when not passed.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from tree_sitter import Node

from crawler.extract.js.modules import string_value
from crawler.extract.js.values import UNDEFINED, Unresolved
from crawler.extract.treesitter import text

if TYPE_CHECKING:
    from crawler.extract.js.evaluate import Evaluator
    from crawler.extract.js.modules import Module

_OPTION_TYPES = frozenset({"boolean", "string", "number", "array", "count"})
# yargs says `describe`; JSON Schema property tables (which look alike) say `description`.
_DESCRIBE_KEYS = frozenset({"describe", "desc"})
# `describe:` / `"desc":` ... followed by a colon, as an object key is (not zod's
# `.describe(`, not `description`); a literal start keeps the search fast. Whether
# it really is such a key is checked on the tree.
_DESCRIBE_KEY = re.compile(rb"""desc(?:ribe)?["'`]?\s*:""")
_MAX_KEYS = 200_000  # such keys looked at per package, so a huge bundle cannot stall the scan
_MAX_OPTIONS = 2_000


def collect_option_defaults(evaluator: Evaluator) -> dict[str, Any]:
    """Option name -> its default value (UNDEFINED when it has none), for the whole package."""
    defaults: dict[str, Any] = {}
    keys_seen = 0
    for module in evaluator.modules.values():
        source = module.parsed.source
        if b"type" not in source:
            continue
        candidates, keys = _declaration_candidates(module, _MAX_KEYS - keys_seen)
        keys_seen += keys
        for node in candidates:
            if len(defaults) >= _MAX_OPTIONS:
                return defaults
            if node.type == "object":
                _read_options_object(node, module, evaluator, defaults)
            else:
                _read_option_call(node, module, evaluator, defaults)
        if keys_seen >= _MAX_KEYS:
            return defaults
    return defaults


def _declaration_candidates(module: Module, budget: int) -> tuple[list[Node], int]:
    """Tables and `.option()` calls that may declare options, in document order, and
    how many keys were looked at (at most `budget`).

    Every option spec has a `describe`/`desc` key, so instead of visiting every
    node of the file (slow from Python on megabyte bundles) the search starts
    at those keys and climbs to the table or call holding the spec: the spec's
    parent pair's object, or the call whose arguments the spec is.
    """
    found: dict[tuple[int, int, str], Node] = {}
    root = module.root
    looked = 0
    for match in _DESCRIBE_KEY.finditer(module.parsed.source):
        if looked >= budget:
            break
        looked += 1
        word_end = match.start() + (8 if match.group().startswith(b"describe") else 4)
        pair = _key_pair(root.descendant_for_byte_range(match.start(), word_end))
        spec = pair.parent if pair is not None else None
        holder = spec.parent if spec is not None and spec.type == "object" else None
        if holder is None:
            continue
        if holder.type == "pair" and holder.child_by_field_name("value") == spec:
            candidate = holder.parent
        elif holder.type == "arguments":
            candidate = holder.parent
        else:
            continue
        if candidate is not None and candidate.type in ("object", "call_expression"):
            found[(candidate.start_byte, candidate.end_byte, candidate.type)] = candidate
    # Outer before inner, as a walk of the tree would meet them.
    ordered = [found[key] for key in sorted(found, key=lambda k: (k[0], -k[1]))]
    return ordered, looked


def _key_pair(node: Node | None) -> Node | None:
    """The `pair` whose key is (or contains) `node`: a key is at most two levels down."""
    for _ in range(3):
        if node is None:
            return None
        if node.type == "pair":
            key = node.child_by_field_name("key")
            return node if key is not None and _key_name(key) in _DESCRIBE_KEYS else None
        node = node.parent
    return None


def _read_options_object(
    node: Node, module: Module, evaluator: Evaluator, defaults: dict[str, Any]
) -> None:
    """`{name: {type, describe, default?}, ...}`: at least one value must look like an option."""
    found: dict[str, Any] = {}
    spreads: list[Node] = []
    for pair in node.named_children:
        if pair.type == "spread_element":
            spreads.append(pair)
        if pair.type != "pair":
            continue
        name = _key_name(pair.child_by_field_name("key"))
        spec = pair.child_by_field_name("value")
        if name is None or spec is None or spec.type != "object":
            return
        default = _option_default(spec, module, evaluator)
        if default is None:
            return  # one non-option value: not an options table
        found[name] = default[0]
    if found:
        # `{...categoryOptions(), slim: {...}}`: options built elsewhere join the table.
        for spread in spreads:
            inner = spread.named_children[0] if spread.named_children else None
            for name, default in _built_options(evaluator.value(inner, module)).items():
                defaults.setdefault(name, default)
    defaults.update(found)


def _built_options(table: Any) -> dict[str, Any]:
    """Option name -> default for an evaluated table whose values all declare options."""
    if not isinstance(table, dict):
        return {}
    out: dict[str, Any] = {}
    for name, spec in list(table.items())[:_MAX_OPTIONS]:
        if not isinstance(spec, dict) or spec.get("type") not in _OPTION_TYPES:
            return {}
        if not any(isinstance(spec.get(k), str) for k in _DESCRIBE_KEYS):
            return {}
        default = spec.get("default", UNDEFINED)
        out[name] = Unresolved("option default") if isinstance(default, Unresolved) else default
    return out


def _read_option_call(
    node: Node, module: Module, evaluator: Evaluator, defaults: dict[str, Any]
) -> None:
    """`x.option('name', {type, describe, default?})` (also `.positional`)."""
    function = node.child_by_field_name("function")
    if function is None or function.type != "member_expression":
        return
    if text(function.child_by_field_name("property")) not in ("option", "positional"):
        return
    args = node.child_by_field_name("arguments")
    named = [a for a in (args.named_children if args else []) if a.type != "comment"]
    if len(named) != 2 or named[1].type != "object":
        return
    name = string_value(named[0])
    default = _option_default(named[1], module, evaluator)
    if name and default is not None:
        defaults[name] = default[0]


def _option_default(spec: Node, module: Module, evaluator: Evaluator) -> tuple[Any] | None:
    """(default,) when `spec` declares an option (a known `type` and a description)."""
    keys: dict[str, Node] = {}
    for pair in spec.named_children:
        if pair.type == "pair":
            name = _key_name(pair.child_by_field_name("key"))
            value = pair.child_by_field_name("value")
            if name is not None and value is not None:
                keys[name] = value
    kind = string_value(keys.get("type"))
    if kind not in _OPTION_TYPES or not _DESCRIBE_KEYS & keys.keys():
        return None
    if "default" not in keys:
        return (UNDEFINED,)
    value = evaluator.value(keys["default"], module)
    return (value,) if not isinstance(value, Unresolved) else (Unresolved("option default"),)


def _key_name(key: Node | None) -> str | None:
    if key is None:
        return None
    if key.type in ("property_identifier", "identifier"):
        return text(key)
    return string_value(key)
