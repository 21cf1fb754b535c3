"""GoFile.nodes_of: the nodes the package indexes read, found once per file by a query."""

import pytest

from crawler.extract.go.parsing import INDEXED_TYPES, parse_file
from crawler.extract.treesitter import walk

_SOURCE = b"""package demo

import "example.test/mcp/server"

type Config struct{ Name string }

func build() {
    type local struct{ A int }
    s := server.New(Config{Name: "a,b"}.Name)
    f(g(1))(h(2))
    x := a.b.c.d
    s.AddTool(mcp.NewTool("t", mcp.WithString("q")), handle)
    _ = []string{"core", "extra"}
}
"""


def _parsed(source: bytes = _SOURCE):
    outcome = parse_file("demo/demo.go", source, 1_000_000)
    assert outcome.parsed is not None
    return outcome.parsed


@pytest.mark.parametrize(
    "kinds",
    [(kind,) for kind in INDEXED_TYPES]
    + [
        ("call_expression", "composite_literal"),
        ("identifier", "selector_expression"),
        ("composite_literal", "interpreted_string_literal"),
    ],
)
def test_nodes_of_matches_a_full_walk_in_document_order(kinds):
    go_file = _parsed()
    expected = [node.id for node in walk(go_file.root) if node.type in kinds]
    assert expected  # the source holds every kind
    assert [node.id for node in go_file.nodes_of(*kinds)] == expected


def test_nested_nodes_starting_together_come_outer_first():
    go_file = _parsed()
    selectors = [node.text.decode() for node in go_file.nodes_of("selector_expression")]
    assert selectors.index("a.b.c.d") < selectors.index("a.b.c") < selectors.index("a.b")
    calls = [node.text.decode() for node in go_file.nodes_of("call_expression")]
    assert calls.index("f(g(1))(h(2))") < calls.index("f(g(1))") < calls.index("g(1)")


def test_nodes_of_a_file_with_syntax_errors_still_match_the_walk():
    go_file = _parsed(b"package broken\nfunc f( { a(b(c)(d)) ; T{}.M() }}} var x = y.z(")
    kinds = ("call_expression", "identifier", "selector_expression")
    expected = [node.id for node in walk(go_file.root) if node.type in kinds]
    assert [node.id for node in go_file.nodes_of(*kinds)] == expected


def test_kinds_outside_the_index_are_refused():
    with pytest.raises(ValueError, match="not an indexed node type"):
        _parsed().nodes_of("if_statement")


def test_unordered_nodes_are_the_same_nodes():
    go_file = _parsed()
    for kind in INDEXED_TYPES:
        unordered = sorted(node.id for node in go_file.nodes_unordered(kind))
        assert unordered == sorted(node.id for node in go_file.nodes_of(kind))


def test_uses_of_a_name_come_file_by_file_in_document_order():
    from crawler.extract.go.toolsets import _Uses

    first, second = _parsed(), _parsed(b"package demo\n\nvar y = a.b.c.d + a\n")
    uses = _Uses()
    for go_file in (first, second):
        number = uses.next_file()
        for node in reversed(go_file.nodes_of("identifier")):  # added out of order
            uses.found.setdefault(("demo", node.text), []).append((number, node, go_file, None))
    name = next(node for node in first.nodes_of("identifier") if node.text == b"a")
    found = uses.get("demo", name)
    expected = [node.id for g in (first, second) for node in g.nodes_of("identifier")]
    expected = [i for i in expected if i in {node.id for node, _, _ in found}]
    assert [node.id for node, _, _ in found] == expected
    assert [go_file.source for _, go_file, _ in found] == [
        first.source,  # a.b.c.d
        second.source,  # a.b.c.d
        second.source,  # + a
    ]
    assert uses.get("demo", None) == []
