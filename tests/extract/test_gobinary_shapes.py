"""Type-argument shapes as generic instantiations spell them in function names."""

from __future__ import annotations

from crawler.extract.gobinary.shapes import shape_schema, struct_fields, type_arguments

NAME = (
    "example.test/srv.MustTool[go.shape.struct { Query string "
    '"json:\\"query\\" jsonschema:\\"required,description=What to find, e.g. [a]\\""; '
    'Labels map[string]interface {} "json:\\"labels,omitempty\\""; '
    "Window struct { From int; To int }; Embedded; example.test/srv.hidden bool },"
    "go.shape.*uint8]"
)


def test_type_arguments_split_at_top_level_commas_only():
    arguments = type_arguments(NAME)
    assert len(arguments) == 2
    assert arguments[1] == "go.shape.*uint8"
    assert type_arguments("pkg.(*List[go.shape.string]).Push") == ["go.shape.string"]
    assert type_arguments("pkg.Plain") == []
    assert type_arguments('pkg.Broken[go.shape.struct { A string "unterminated') == []


def test_struct_shapes_give_fields_with_types_and_tags():
    fields = struct_fields(type_arguments(NAME)[0])
    query_tag = 'json:"query" jsonschema:"required,description=What to find, e.g. [a]"'
    assert fields == [
        ("Query", "string", query_tag, False),
        ("Labels", "map[string]interface {}", 'json:"labels,omitempty"', False),
        ("Window", "struct { From int; To int }", "", False),
        ("Embedded", "Embedded", "", True),
        ("example.test/srv.hidden", "bool", "", False),
    ]
    assert struct_fields("go.shape.*uint8") is None
    assert struct_fields("go.shape.struct {}") == []


def test_shape_schema_follows_the_struct_tag_rules():
    schema, whole = shape_schema(struct_fields(type_arguments(NAME)[0]))
    assert schema["properties"] == {
        "query": {"type": "string", "description": "What to find, e.g. [a]"},
        "labels": {"type": "object"},
        "Window": {"type": "object"},
    }
    assert schema["required"] == ["query", "Window"]
    # The embedded struct's promoted fields are not spelled in the shape.
    assert whole is False
