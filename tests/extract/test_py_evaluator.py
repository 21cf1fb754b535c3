"""The static evaluator, docstring cleaning and type -> JSON Schema mapping."""

from __future__ import annotations

import inspect

import pytest

from crawler.extract.py.evaluator import Evaluator
from crawler.extract.py.lowlevel import install_model_schemas
from crawler.extract.py.modules import Project
from crawler.extract.py.source import cleandoc
from crawler.extract.py.values import ExternalRef, ObjectValue, Unknown
from crawler.files import PackageFiles

CONSTANTS = '''
import textwrap
from enum import Enum, StrEnum

from mcp.types import ToolAnnotations

from .names import PREFIX, Kind


class Mixed(str, Enum):
    A = "alpha"


class Plain(Enum):
    B = "beta"


def annotations(*, destructive: bool, title: str = "T") -> ToolAnnotations:
    return ToolAnnotations(destructive_hint=destructive, title=title)


def describe(what):
    """A helper with a docstring and one return."""
    return f"{PREFIX}: {what}"


CONCAT = "a" + "b" + PREFIX
FSTRING = f"{PREFIX}-{Kind.READ.value}-{3 + 4}-{1.5:.2f}-{'x'!r}"
PERCENT = "%s/%d" % ("x", 2)
DEDENTED = textwrap.dedent("""
    one
      two
""")
STR_ENUM = str(Kind.READ)
STR_MIXED = str(Mixed.A)
STR_PLAIN = str(Plain.B)
FORMAT_MIXED = f"{Mixed.A}"
ENUM_DIRECT = Kind.WRITE
BASE = {"type": "object"}
SPREAD = {**BASE, "properties": {Kind.READ: {"type": "string"}}}
ITEMS = [1, *[2, 3]]
ITEMS.append(4)
ITEMS.extend([5])
ITEMS += [6]
TABLE = {}
TABLE["k"] = "v"
CALLED = annotations(destructive=True)
DESCRIBED = describe("thing")
JOINED = ", ".join([Kind.READ, "b"])
METHODS = "  Hello  ".strip().lower()
CHOSEN = "yes" if True else "no"
FALLBACK = None or "default"
INDEXED = {"a": [10, 20]}["a"][1]
RUNTIME = os.environ["HOME"]
'''

NAMES = """
from enum import StrEnum, auto

PREFIX = "pre"


class Kind(StrEnum):
    READ = auto()
    WRITE = "write"
"""


@pytest.fixture(scope="module")
def evaluate():
    package = PackageFiles(
        files={
            "pkg/__init__.py": b"",
            "pkg/consts.py": CONSTANTS.encode(),
            "pkg/names.py": NAMES.encode(),
        }
    )
    project = Project(package, 1_000_000)
    evaluator = Evaluator(project)
    install_model_schemas(evaluator)
    module = project.module("pkg.consts")
    scope = evaluator.module_scope(module)

    def value_of(name: str):
        return evaluator.lookup(name, scope, 0, 0)

    return value_of


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("CONCAT", "abpre"),
        ("FSTRING", "pre-read-7-1.50-'x'"),
        ("PERCENT", "x/2"),
        ("DEDENTED", "\none\n  two\n"),
        ("STR_ENUM", "read"),
        ("STR_MIXED", "Mixed.A"),
        ("STR_PLAIN", "Plain.B"),
        ("FORMAT_MIXED", "alpha"),
        ("SPREAD", {"type": "object", "properties": {"read": {"type": "string"}}}),
        ("ITEMS", [1, 2, 3, 4, 5, 6]),
        ("TABLE", {"k": "v"}),
        ("DESCRIBED", "pre: thing"),
        ("JOINED", "read, b"),
        ("METHODS", "hello"),
        ("CHOSEN", "yes"),
        ("FALLBACK", "default"),
        ("INDEXED", 20),
    ],
)
def test_constant_expressions(evaluate, name, expected):
    assert evaluate(name) == expected


def test_enum_member_and_helper_call(evaluate):
    member = evaluate("ENUM_DIRECT")
    assert (member.name, member.value) == ("WRITE", "write")
    called = evaluate("CALLED")
    assert isinstance(called, ObjectValue)
    assert called.qualname == "mcp.types.ToolAnnotations"
    assert called.kwargs == {"destructive_hint": True, "title": "T"}


def test_unresolvable_value_says_where_and_why(evaluate):
    value = evaluate("RUNTIME")
    assert isinstance(value, Unknown)
    assert value.file == "pkg/consts.py"
    assert value.line == 54
    assert "'os'" in value.why


def test_external_names_keep_their_origin(evaluate):
    assert evaluate("ToolAnnotations") == ExternalRef("mcp.types.ToolAnnotations")


@pytest.mark.parametrize(
    "doc",
    [
        "One line.",
        "\n    Leading blank line.\n\n    Second paragraph.\n        indented\n    ",
        "First.\n\tTabbed.\n  Two spaces.",
        "   \n\n",
        "Title\n\n    Args:\n        x: y\n",
    ],
)
def test_cleandoc_matches_inspect(doc):
    assert cleandoc(doc) == inspect.cleandoc(doc)


MODELS = '''
from typing import Literal, Optional
from pydantic import BaseModel, Field


class Point(BaseModel):
    x: int
    y: int = 0


class Shape(BaseModel):
    """A shape."""

    kind: Literal["circle"]
    center: Point
    tags: set[str] = Field(default_factory=set, description="Labels")
    corners: tuple[int, int]
    scale: "float" = Field(1.0, alias="scaleFactor", gt=0)
    meta: dict[str, int] = {}
    parent: Optional["Shape"] = None


SCHEMA = Shape.model_json_schema()
'''


def test_model_json_schema_from_class_definition():
    package = PackageFiles(files={"shapes.py": MODELS.encode()})
    project = Project(package, 1_000_000)
    evaluator = Evaluator(project)
    install_model_schemas(evaluator)
    scope = evaluator.module_scope(project.module("shapes"))
    top = evaluator.lookup("SCHEMA", scope, 0, 0)
    # recursive model: defined in $defs and referred to, as pydantic does
    assert top["$ref"] == "#/$defs/Shape"
    schema = top["$defs"]["Shape"]
    assert schema["title"] == "Shape"
    assert schema["description"] == "A shape."
    assert schema["required"] == ["kind", "center", "corners"]
    props = schema["properties"]
    assert list(props) == ["kind", "center", "tags", "corners", "scaleFactor", "meta", "parent"]
    assert props["kind"] == {"const": "circle", "type": "string", "title": "Kind"}
    assert props["center"] == {"$ref": "#/$defs/Point"}
    assert props["tags"] == {
        "type": "array",
        "items": {"type": "string"},
        "uniqueItems": True,
        "description": "Labels",
        "title": "Tags",
    }
    assert props["corners"]["prefixItems"] == [{"type": "integer"}, {"type": "integer"}]
    assert props["scaleFactor"] == {
        "type": "number",
        "exclusiveMinimum": 0,
        "title": "Scale",
        "default": 1.0,
    }
    assert props["meta"]["additionalProperties"] == {"type": "integer"}
    assert props["parent"]["anyOf"] == [{"$ref": "#/$defs/Shape"}, {"type": "null"}]
    assert top["$defs"]["Point"]["properties"]["y"]["default"] == 0
    assert top["$defs"]["Point"]["required"] == ["x"]


_NESTED = """
PREFIX = "pre"


def outer(flag):
    label = PREFIX + "-outer"

    def inner():
        return label + "-inner"

    return inner()


class Holder:
    TITLE = PREFIX + "-holder"
"""


def test_function_and_class_tables_are_made_on_first_lookup_with_the_same_values():
    files = {"pkg/__init__.py": b"", "pkg/nested.py": _NESTED.encode()}
    project = Project(PackageFiles(files=files), 100_000)
    evaluator = Evaluator(project)
    module = project.module("pkg.nested")
    module_scope = evaluator.module_scope(module)
    outer = evaluator.lookup("outer", module_scope, 0, 0)
    holder = evaluator.lookup("Holder", module_scope, 0, 0)
    function_scope = evaluator.function_scope(outer)
    class_scope = evaluator.class_scope(holder)
    assert "table" not in vars(function_scope) and "table" not in vars(class_scope)

    assert evaluator.lookup("label", function_scope, 0, 0) == "pre-outer"
    assert evaluator.lookup("TITLE", class_scope, 0, 0) == "pre-holder"
    assert "table" in vars(function_scope) and "_make_table" not in vars(function_scope)
    assert sorted(function_scope.table.bindings) == ["inner", "label"]
    assert sorted(class_scope.table.bindings) == ["TITLE"]
    # the next scope of the same function shares the table made for the first
    assert evaluator.function_scope(outer).table is function_scope.table
