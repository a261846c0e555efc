"""The dependency rules of docs/architecture.md §1: import-linter's contracts hold (layers,
a pure engine, no domain code importing a face), and no module hides an import of the
project's own code inside a function (the usual way a cycle is dodged instead of fixed)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PACKAGES = ("apps", "lcnc", "workflows")


def test_import_linter_contracts_are_kept(tmp_path: Path) -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(  # noqa: S603 - our own tool, fixed arguments
        [str(lint_imports), "--cache-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _imports_inside_functions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []

    def visit(node: ast.AST, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                # A Django AppConfig.ready() is where an app wires itself up at start.
                visit(child, None if child.name == "ready" else child.name)
            elif function and isinstance(child, ast.ImportFrom):
                own = child.level > 0 or (child.module or "").split(".")[0] in PROJECT_PACKAGES
                if own:
                    found.append(f"{path.relative_to(ROOT)}:{child.lineno} in {function}()")
            elif function and isinstance(child, ast.Import):
                if any(a.name.split(".")[0] in PROJECT_PACKAGES for a in child.names):
                    found.append(f"{path.relative_to(ROOT)}:{child.lineno} in {function}()")
            else:
                visit(child, function)

    visit(tree, None)
    return found


def test_no_module_imports_project_code_inside_a_function() -> None:
    paths = [
        path
        for package in ("apps", "lcnc")
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    ]
    assert paths
    hidden = [line for path in paths for line in _imports_inside_functions(path)]
    assert hidden == []
