"""The domain core stays free of the UI, and its public surface is explicit."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

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
    ("clock", "files", "text"),
    ("identity",),
    ("settings",),
    ("criteria",),
    ("reasoning",),
    ("screening",),  # uses criteria/ and reasoning/; learning/ builds teaching worksheets on it
    ("reports", "fhir", "learning"),
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


SESSION_METHODS = {"get", "pop", "setdefault", "__contains__"}


def _session_keys_used(tree: ast.Module) -> list[ast.expr]:
    """The key expressions of every ``st.session_state[...]`` and ``st.session_state.get/pop/setdefault(...)``."""

    def is_session(node: ast.expr) -> bool:
        return isinstance(node, ast.Attribute) and node.attr == "session_state"

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
