"""Every public class, function and method of simkit says what it does (STYLE.md: docstrings),
so a reader of any room finds its contract without reading its body."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "simkit"
MODULES = sorted(PACKAGE.rglob("*.py"))


def undocumented(source: str) -> list[str]:
    """Public classes, functions and methods of a module's source that have no docstring."""
    tree = ast.parse(source)
    missing = []

    def visit(body, prefix=""):
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
                if ast.get_docstring(node) is None:
                    missing.append(f"{prefix}{node.name} (line {node.lineno})")
                if isinstance(node, ast.ClassDef):
                    visit(node.body, f"{prefix}{node.name}.")

    visit(tree.body)
    return missing


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_public_names_have_docstrings(path):
    assert undocumented(path.read_text()) == []


def test_the_check_finds_a_missing_docstring():
    source = 'class A:\n    """Doc."""\n    def b(self):\n        pass\n    def _c(self):\n        pass\ndef d():\n    """Doc."""\n'
    assert undocumented(source) == ["A.b (line 3)"]
