"""How the report modules import each other: at the top of the module only, in one direction, rich only where drawn."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import compliance.report

REPORT = Path(compliance.report.__file__).parent
MODULES = sorted(p.stem for p in REPORT.glob("*.py") if p.stem != "__init__")


def _report_module(node: ast.Import | ast.ImportFrom) -> list[str]:
    """The compliance.report modules an import statement (in a module of compliance.report) names."""
    if isinstance(node, ast.Import):
        return [a.name.rsplit(".", 1)[-1] for a in node.names if a.name.startswith("compliance.report.")]
    if node.level == 1:  # from .x import y / from . import x
        return [node.module.split(".")[0]] if node.module else [a.name for a in node.names]
    if node.level == 0 and node.module and node.module.startswith("compliance.report"):
        rest = node.module.removeprefix("compliance.report").lstrip(".")
        return [rest.split(".")[0]] if rest else [a.name for a in node.names]
    return []


def _tree(name: str) -> ast.Module:
    return ast.parse((REPORT / f"{name}.py").read_text(encoding="utf-8"))


def _is_type_checking(node: ast.stmt) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _top_level_imports(name: str) -> set[str]:
    """The report modules ``name`` imports when it is imported (its TYPE_CHECKING block left out)."""
    found: set[str] = set()
    for node in _tree(name).body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.update(m for m in _report_module(node) if m in MODULES)
    return found


def test_the_report_package_is_read():
    assert {"outline", "terminal", "markdown", "html", "challenge", "formats"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_no_report_module_imports_another_inside_a_function(name):
    # A function-local import is how an import circle hides: every import of another
    # report module is at the top of the module, where a circle fails at once.
    hidden = []
    for fn in ast.walk(_tree(name)):
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(fn):
                if isinstance(node, ast.Import | ast.ImportFrom) and _report_module(node):
                    hidden.append(f"{name}.py:{node.lineno} in {fn.name}: {ast.unparse(node)}")
    assert hidden == []


def test_the_report_modules_import_each_other_without_a_circle():
    graph = {name: _top_level_imports(name) for name in MODULES}
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, " -> ".join((*path, name))
        if name in done:
            return
        for other in sorted(graph[name]):
            visit(other, (*path, name))
        done.add(name)

    for name in MODULES:
        visit(name, ())
    # The analyses sit below the renderers: nothing they import draws anything.
    for analysis in ("outline", "challenge", "overview", "wording", "style", "formats"):
        assert not graph[analysis] & {"terminal", "markdown", "html", "json", "diff"}, analysis


#: Modules that must not pull rich in: the text formats, the analyses, and the registry the CLI reads for --help.
NO_RICH = ["formats", "wording", "style", "outline", "challenge", "overview", "markdown", "html", "json"]


@pytest.mark.parametrize("name", NO_RICH)
def test_imported_on_its_own_without_rich(name):
    code = f"import sys, compliance.report.{name}; print('rich' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
