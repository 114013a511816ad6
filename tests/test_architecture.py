"""The domain core stays free of the UI, and its public surface is explicit."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import candidacy


def test_importing_the_core_does_not_import_streamlit() -> None:
    code = (
        "import importlib, pkgutil, sys, candidacy\n"
        "for m in pkgutil.walk_packages(candidacy.__path__, 'candidacy.'):\n"
        "    if not m.name.startswith(('candidacy.ui', 'candidacy.store.migrations', 'candidacy.__main__')):\n"
        "        importlib.import_module(m.name)\n"
        "print('streamlit' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert done.stdout.strip() == "False"


def test_public_names_exist() -> None:
    for name in candidacy.__all__:
        assert hasattr(candidacy, name), name


# The core's layers, lowest first: a module may import its own package and the layers below it.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors",),
    ("clock", "files", "text", "typeface"),
    ("identity",),
    ("settings",),
    ("criteria",),
    ("reasoning",),
    ("screening",),  # uses criteria/ and reasoning/; learning/ builds teaching worksheets on it
    ("reports", "fhir", "learning"),
    ("case",),  # a case's content and the one function that changes it: above the record and the worksheet
    ("draft",),
    ("store",),
    ("cli", "ui"),
)


def _package_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _rank(package: str) -> int:
    for rank, names in enumerate(LAYERS):
        if package in names:
            return rank
    raise AssertionError(f"candidacy.{package} is in no layer: add it to LAYERS")


def test_each_layer_imports_only_the_layers_below_it() -> None:
    import ast
    from pathlib import Path

    root = Path(candidacy.__file__).parent
    wrong: list[str] = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if rel.parts[0] in {"__init__.py", "__main__.py"} or "migrations" in rel.parts:
            continue
        own = rel.parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("candidacy"):
                names = [node.module] if node.module != "candidacy" else [f"candidacy.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names if a.name.startswith("candidacy.")]
            for name in names:
                used = _package_of(name)
                if used != own and _rank(used) >= _rank(own):
                    wrong.append(f"{rel}: imports {name}")
    assert wrong == []


def _module_imports() -> dict[str, set[str]]:
    """Every core module and the core modules it imports anywhere (at the top, in a function, or
    only for type checking): an import held inside a function still ties the two modules together."""
    import ast
    from pathlib import Path

    root = Path(candidacy.__file__).parent
    graph: dict[str, set[str]] = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).with_suffix("")
        parts = [p for p in rel.parts if p != "__init__"]
        name = ".".join(["candidacy", *parts])
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("candidacy"):
                found.add(node.module)
                found.update(f"{node.module}.{a.name}" for a in node.names)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.startswith("candidacy"))
        graph[name] = found
    return {name: {m for m in used if m in graph and m != name} for name, used in graph.items()}


@pytest.mark.parametrize(
    "package", ["candidacy.ui", "candidacy.reports", "candidacy.store", "candidacy.screening", "candidacy.case"]
)
def test_no_import_cycle_inside_a_package(package: str) -> None:
    graph = {m: {u for u in used if u.startswith(package + ".")} for m, used in _module_imports().items()}
    graph = {m: used for m, used in graph.items() if m.startswith(package + ".")}
    cycles: list[list[str]] = []
    done: set[str] = set()

    def walk(node: str, trail: list[str]) -> None:  # depth first: a module met again on the trail is a cycle
        for nxt in sorted(graph.get(node, ())):
            if nxt in trail:
                cycles.append([*trail[trail.index(nxt) :], nxt])
            elif nxt not in done:
                walk(nxt, [*trail, nxt])
        done.add(node)

    for start in sorted(graph):
        if start not in done:
            walk(start, [start])
    assert cycles == [], cycles[:3]


SESSION_METHODS = {"get", "pop", "setdefault", "__contains__"}


def _session_keys_used(tree: ast.Module) -> list[ast.expr]:
    """The key expressions of every ``st.session_state[...]`` and ``st.session_state.get/pop/setdefault(...)``."""

    aliases = {  # ``state = st.session_state``: a name bound to the session is the session too
        target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Attribute) and node.value.attr == "session_state"
        for target in node.targets
        if isinstance(target, ast.Name)
    }

    def is_session(node: ast.expr) -> bool:
        return (isinstance(node, ast.Attribute) and node.attr == "session_state") or (
            isinstance(node, ast.Name) and node.id in aliases
        )

    keys: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and is_session(node.value):
            keys.append(node.slice)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in SESSION_METHODS
            and is_session(node.func.value)
            and node.args
        ):
            keys.append(node.args[0])
    return keys


def test_every_session_key_is_declared_in_the_session_module() -> None:
    """One module owns the UI state: a page names a session key through candidacy.ui.state, never as text.

    Keys built per item (f-strings such as a dose's goal widgets) are those widgets' identities and
    are left to the code that draws them.
    """
    ui = Path(candidacy.__file__).parent / "ui"
    found: list[str] = []
    for path in sorted(ui.glob("*.py")):
        if path.name == "state.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        literal_names = {
            target.id
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for key in _session_keys_used(tree):
            if isinstance(key, ast.Constant) or (isinstance(key, ast.Name) and key.id in literal_names):
                found.append(f"{path.name}:{key.lineno}: {ast.unparse(key)}")
    assert not found, "session keys named outside candidacy.ui.state:\n" + "\n".join(found)


def test_each_code_system_uri_is_written_once_in_the_core() -> None:
    """A code system's URI is vocabulary: declared in criteria/codes.py and imported everywhere else,
    so that a rule, a unit and a Questionnaire never disagree on how a system is named."""
    from candidacy.criteria.codes import SYSTEMS

    root = Path(candidacy.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in SYSTEMS:
                found.append(f"{path.relative_to(root)}:{node.lineno}")
    assert [f for f in found if not f.startswith("criteria/codes.py")] == []
