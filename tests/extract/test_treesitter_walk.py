"""The shared tree walk: document order, and pruned subtrees left out."""

from __future__ import annotations

from crawler.extract.js.evaluate import returns_of
from crawler.extract.js.parsing import parse_file
from crawler.extract.treesitter import first_error_line, text, walk

SOURCE = b"""function outer(a) {
  if (a) { return 1; }
  const inner = () => { return 2; };
  function named() { return 3; }
  return inner;
}
"""


def _root():
    return parse_file("a.js", SOURCE, 100_000).parsed.root


def test_walk_gives_every_node_in_document_order():
    nodes = list(walk(_root()))
    numbers = [text(n) for n in nodes if n.type == "number"]
    assert numbers == ["1", "2", "3"]
    starts = [n.start_byte for n in nodes]
    assert starts == sorted(starts)


def test_pruned_nodes_are_given_but_not_entered():
    outer = _root().named_children[0]
    body = outer.child_by_field_name("body")
    nodes = list(walk(body, prune={"arrow_function", "function_declaration"}))
    assert [n.type for n in nodes].count("arrow_function") == 1
    assert [n.type for n in nodes].count("function_declaration") == 1
    assert [text(n) for n in nodes if n.type == "number"] == ["1"]
    # The root itself is entered even when its type is pruned.
    assert len(list(walk(outer, prune={"function_declaration"}))) > 1


def test_returns_of_keeps_only_the_bodys_own_returns():
    body = _root().named_children[0].child_by_field_name("body")
    assert [text(r) for r in returns_of(body)] == ["return 1;", "return inner;"]


def test_first_error_line_finds_the_first_slip_in_document_order():
    good = b"const a = 1;\nfunction f() { return 2; }\n"
    assert first_error_line(parse_file("a.js", good, 100_000).parsed.root) == 1
    broken = good + b"const b = (;\nconst c = {;\n"
    assert first_error_line(parse_file("a.js", broken, 100_000).parsed.root) == 3
    missing = b"const a = 1;\nconst b = f(1\n"
    assert first_error_line(parse_file("a.js", missing, 100_000).parsed.root) == 2
