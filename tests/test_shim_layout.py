"""The shim's layout holds: one list of commands, one module per command, small modules, and
imports that never go round in a circle.

- ``SHIM_COMMANDS`` (s3env/shim/base.py) is the only list of the shim's commands: the boto3
  backend has a module ``commands/<name>.py`` for each name in it, and none for any other.
- No module of the shim is over 600 lines.
- Inside ``s3env.shim`` no import cycle, counting imports made inside functions too (only
  ``if TYPE_CHECKING:`` imports, which never run, are left out).
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import s3env.shim
from s3env.shim.base import SHIM_COMMANDS

SHIM = Path(s3env.shim.__file__).parent
COMMANDS = SHIM / "boto3" / "commands"
MAX_LINES = 600


def test_every_shim_command_has_a_boto3_command_module_and_no_other() -> None:
    modules = {p.stem for p in COMMANDS.glob("*.py") if p.name != "__init__.py"}
    assert modules == set(SHIM_COMMANDS)
    assert len(SHIM_COMMANDS) == len(set(SHIM_COMMANDS))


@pytest.mark.parametrize("command", SHIM_COMMANDS)
def test_each_command_module_runs_and_declares_its_flags(command: str) -> None:
    from s3env.shim.boto3.commands import load

    module = load(command)
    assert module is importlib.import_module(f"s3env.shim.boto3.commands.{command}")
    assert callable(module.run)
    assert isinstance(module.FLAGS, tuple)


def test_a_name_outside_the_list_is_no_command() -> None:
    from s3env.core.errors import UsageError
    from s3env.shim.boto3.commands import load

    for name in ("lss", "__init__", "os", "../context"):
        with pytest.raises(UsageError):
            load(name)


def _module_name(path: Path) -> str:
    parts = path.relative_to(SHIM.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(SHIM.rglob("*.py"))}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_is_too_long(name: str) -> None:
    lines = MODULES[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{name}: {lines} lines"


def _is_type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def _imports(name: str, path: Path) -> set[str]:
    """The shim modules ``name`` imports (at its top or in its functions)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import):
                found.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:  # relative: level 1 is the package itself
                    parts = package.split(".")
                    base = ".".join([*parts[: len(parts) - child.level + 1], base]).rstrip(".")
                for alias in child.names:
                    submodule = f"{base}.{alias.name}"
                    found.add(submodule if submodule in MODULES else base)
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return {target for target in found if target in MODULES and target != name}


def test_no_import_cycle_inside_the_shim() -> None:
    graph = {name: _imports(name, path) for name, path in MODULES.items()}
    assert graph["s3env.shim.boto3.commands.sync"] >= {"s3env.shim.boto3.commands.cp"}  # the walk sees edges
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def walk(node: str) -> None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycle = [*path[path.index(target) :], target]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if target not in state:
                walk(target)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            walk(node)
