"""tree_depth: a cheap bound that must refuse exactly the trees deeper than the limit."""

import ast

import pytest

from crawler.extract.py.source import parse_python, tree_depth

_SOURCES = [
    "x = a.b.c.d.e(f(g(h)))[1][2]",
    "import a.b as c, d\nfrom . import (x,\n    y)",
    "assert f(x) and not y, f'{a!r:>{w}} {b.c[d]}'",
    "def f(a: int = g(h(i)), *b, **c) -> list[dict[str, int]]:\n"
    "    return [x for x in y if z(x) if w]",
    "print(f'''{x}\n{y + z.w(q)}''')",
    "x = -(-(-(-(-(-(-(-1)))))))",
    "raise E(a) from b.c",
    "del a[b], c.d",
    "with a(b) as c, d: e = lambda x: lambda y: x + y",
    "class A(B, metaclass=M):\n  x: int = 1\n  if a: b = c; d += e.f\n  else: pass",
    "total = (1 +\n  2 +\n  3 +\n  4)",
    # one character a level: the tightest nesting the width bound has to cover
    "-------x",
    "x=-~-~-~1",
    "a.b.c.d.e",
    "a[b[c[d]]]",
    "f(g(h()))",
    "f(*g(*h(*x)))",
    "f(a=g(b=h(c=1)))",
    "[[[[[]]]]]",
    "(((a,),),)",
    "{{{1}}}",
    "lambda:lambda:lambda:0",
    "lambda a=lambda b=1:b:a",
    "f(x for x in g(y for y in z))",
    "{k:v for k,v in {a:b for a in c}}",
    "a[::][::]",
    "(a:=(b:=c))",
    "def f(a: int = -1, *b: c.d, e=f'{g}'): pass",
    "async def f():\n  await (await (await x))",
    "def g():\n  return (yield from (yield from x))",
    "x = f'{f\"{x:{y}}\"}'",
]


def _exact_depth(tree: ast.AST) -> int:
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


@pytest.mark.parametrize("source", _SOURCES)
def test_the_bound_is_above_a_limit_exactly_when_the_tree_is(source):
    tree = ast.parse(source)
    exact = _exact_depth(tree)
    for limit in range(1, 60):
        assert (tree_depth(tree, limit) > limit) == (exact > limit), limit


def test_imports_are_collected_in_order_from_every_level():
    source = (
        b"import a\n"
        b"from b import c as d\n"
        b"if flag:\n"
        b"    import e.f\n"
        b"def main():\n"
        b"    from .g import (h,\n"
        b"                    i)\n"
    )
    _, _, imports = parse_python("pkg/m.py", source, 10_000)
    assert [ast.unparse(node) for node in imports] == [
        "import a",
        "from b import c as d",
        "import e.f",
        "from .g import h, i",
    ]


def test_a_one_line_statement_nested_past_the_limit_is_refused():
    deep = "x = " + "-" * 40 + "1"  # one line, yet about 45 levels deep
    tree = ast.parse(deep)
    assert tree_depth(tree, 30) > 30
    assert tree_depth(tree, 200) <= 200
