"""Conditions.of: a statement's condition is worked out only when it is used."""

from __future__ import annotations

import ast

from crawler.extract.py.conditions import Conditions
from crawler.extract.py.evaluator import Evaluator
from crawler.extract.py.modules import Project
from crawler.files import PackageFiles

_SOURCE = b"""
import os

READ_ONLY = os.environ.get("READ_ONLY", "") == "1"

if not READ_ONLY:
    register_writer()

register_reader()
"""


def _setup():
    project = Project(PackageFiles(files={"srv/__init__.py": b"", "srv/tools.py": _SOURCE}), 10**6)
    module = project.module("srv.tools")
    evaluator = Evaluator(project)
    conditions = Conditions()
    conditions.read_callers(evaluator, [module])
    calls = sorted(
        (s for s in ast.walk(module.tree) if isinstance(s, ast.Expr)), key=lambda s: s.lineno
    )
    return conditions, evaluator.module_scope(module), calls


def test_the_module_is_read_when_a_condition_is_first_used_not_when_asked_for():
    conditions, scope, (writer, reader) = _setup()
    asked = [conditions.of(writer, None, scope), conditions.of(reader, None, scope)]
    assert conditions._read == set()
    assert asked[0].text == "not READ_ONLY (on by default)"
    assert conditions._read == {"srv/tools.py"}
    assert not asked[1] and asked[1].text is None


def test_an_unconditional_statement_asked_without_a_scope_has_no_condition():
    conditions, scope, (writer, reader) = _setup()
    conditions.read(scope.module)
    assert conditions.of(reader) is None
    assert conditions.of(writer).text == "not READ_ONLY"
