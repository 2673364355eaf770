"""eventapp uses other libraries through their public APIs: no assignment to a library's private names or
functions, no override of a library class's private hooks, no editing of the PDF objects WeasyPrint builds.

Each module of eventapp/ is read as Python (ast), and the classes it subclasses are looked up for real, so
that `class BadgeHTML(weasyprint.HTML): def _ua_stylesheets(...)` or `ffi.new = new` anywhere in eventapp,
even inside a function, fails here with the file and line.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path

import pytest

import eventapp

PACKAGE = Path(eventapp.__file__).resolve().parent
MODULES = sorted(PACKAGE.rglob("*.py"))


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _ours(module: str | None) -> bool:
    return module is not None and (module == "eventapp" or module.startswith("eventapp."))


class _Imports(ast.NodeVisitor):
    """Every name a module binds by importing something from outside eventapp, anywhere in the module."""

    def __init__(self, module: str) -> None:
        self.package = module.rsplit(".", 1)[0] if module.count(".") else module
        self.third_party: dict[str, tuple[str, str | None]] = {}  # local name: (module, attribute or None)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if not _ours(alias.name):
                local = alias.asname or alias.name.split(".")[0]
                self.third_party[local] = (alias.name if alias.asname else alias.name.split(".")[0], None)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level or _ours(node.module):
            return
        for alias in node.names:
            self.third_party[alias.asname or alias.name] = (node.module, alias.name)


def _root(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _resolve(node: ast.expr, imports: _Imports, module: str):
    """The object a class's base expression names, looked up for real (None when it cannot be)."""
    path = []
    while isinstance(node, ast.Attribute):
        path.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    try:
        if node.id in imports.third_party:
            source, attribute = imports.third_party[node.id]
            value = importlib.import_module(source)
            if attribute is not None:
                value = getattr(value, attribute)
        else:
            value = getattr(importlib.import_module(module), node.id)
        for attribute in reversed(path):
            value = getattr(value, attribute)
    except (ImportError, AttributeError):
        return None
    return value


def _their_classes(bases: list) -> list[type]:
    """The classes from outside eventapp that a class inherits from."""
    found = []
    for base in bases:
        if isinstance(base, type):
            found += [cls for cls in base.__mro__ if not _ours(cls.__module__) and cls is not object]
    return found


def _defines(cls: type, name: str) -> bool:
    """Whether a library class has this name: as a class attribute or set on its instances."""
    if name in vars(cls):
        return True
    try:
        source = inspect.getsource(cls)
    except (OSError, TypeError):
        return False
    return re.search(rf"\bself\.{re.escape(name)}\b", source) is not None


def _replaces_a_function(target: ast.Attribute, imports: _Imports, module: str) -> bool:
    """Whether target names a function, method or class a library defines (data settings are not that)."""
    owner = _resolve(target.value, imports, module)
    try:
        return owner is not None and callable(getattr(owner, target.attr))
    except Exception:  # not there (a namespace such as flask.g), or only there inside a request
        return False


def violations(source: str, module: str, where: str) -> list[str]:
    """What in this module's source reaches into a library, one "where:line: what" each."""
    tree = ast.parse(source, filename=where)
    imports = _Imports(module)
    imports.visit(tree)
    found: list[str] = []

    def report(node: ast.AST, what: str) -> None:
        found.append(f"{where}:{node.lineno}: {what}")

    def check_target(target: ast.expr, library_classes: list[type]) -> None:
        if isinstance(target, ast.Tuple | ast.List):
            for element in target.elts:
                check_target(element, library_classes)
            return
        if not isinstance(target, ast.Attribute):
            return
        root = _root(target)
        if root in imports.third_party and (_private(target.attr) or _replaces_a_function(target, imports, module)):
            report(target, f"assigns {ast.unparse(target)}: replaces part of a library ({root})")
        elif _private(target.attr) and root not in ("self", "cls"):
            report(target, f"assigns {ast.unparse(target)}: someone else's private attribute")
        elif _private(target.attr) and any(_defines(cls, target.attr) for cls in library_classes):
            report(target, f"assigns {ast.unparse(target)}: a private attribute of a library class")

    def walk(node: ast.AST, library_classes: list[type]) -> None:
        for child in ast.iter_child_nodes(node):
            classes = library_classes
            if isinstance(child, ast.ClassDef):
                classes = _their_classes([_resolve(base, imports, module) for base in child.bases])
                for item in child.body:
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and _private(item.name):
                        owners = [cls for cls in classes if _defines(cls, item.name)]
                        if owners:
                            report(item, f"overrides {owners[0].__module__}.{owners[0].__qualname__}.{item.name}")
            elif isinstance(child, ast.Assign):
                for target in child.targets:
                    check_target(target, library_classes)
            elif isinstance(child, ast.AugAssign | ast.AnnAssign):
                check_target(child.target, library_classes)
            elif isinstance(child, ast.Delete):
                for target in child.targets:
                    check_target(target, library_classes)
            elif isinstance(child, ast.Call):
                name = child.func.id if isinstance(child.func, ast.Name) else None
                if name in ("setattr", "delattr") and len(child.args) >= 2:
                    obj, attribute = child.args[0], child.args[1]
                    private = isinstance(attribute, ast.Constant) and _private(str(attribute.value))
                    if _root(obj) in imports.third_party or (private and _root(obj) not in ("self", "cls")):
                        report(child, f"{name} on {ast.unparse(obj)}: changes a library's object")
                if any(keyword.arg == "finisher" for keyword in child.keywords):
                    report(child, "passes a WeasyPrint finisher: edits the PDF objects WeasyPrint built")
            elif isinstance(child, ast.Import | ast.ImportFrom):
                names = [alias.name for alias in child.names] if isinstance(child, ast.Import) else [child.module]
                if any(name and name.split(".")[0] == "pydyf" for name in names):
                    report(child, "imports pydyf: WeasyPrint's PDF objects are WeasyPrint's business")
            walk(child, classes)

    walk(tree, [])
    return found


# Known, and being taken out under issue 16 by another change: the report's URL fetcher sets URLFetcher's private
# attributes instead of calling its __init__. strict: this fails as soon as that is gone, so the mark goes too.
PENDING: dict[str, str] = {}  # module -> why it is still expected to fail, while a fix is under way


def _module_case(path: Path):
    where = str(path.relative_to(PACKAGE.parent))
    marks = [pytest.mark.xfail(reason=PENDING[where], strict=True)] if where in PENDING else []
    return pytest.param(path, id=where, marks=marks)


@pytest.mark.parametrize("path", [_module_case(path) for path in MODULES])
def test_no_module_reaches_into_library_internals(path):
    where = str(path.relative_to(PACKAGE.parent))
    assert violations(path.read_text(encoding="utf-8"), _module_name(path), where) == []


CAUGHT = '''
import logging

import weasyprint
from flask import g
from weasyprint.text.ffi import ffi


def html_class():
    import weasyprint as wp

    class BadgeHTML(wp.HTML):
        def _ua_stylesheets(self, forms=False):
            return []

    return BadgeHTML


def speed_up():
    ffi.new = lambda cdecl, init=None: None
    weasyprint.HTML._ua_stylesheets = list
    setattr(ffi, "new", None)
    logging.logThreads = False
    g.device = None


class Fetcher(weasyprint.urls.URLFetcher):
    def __init__(self):
        self._timeout = 0
        self._own_helper = 1

    def _own_method(self):
        return 1


def pdf(document, finish):
    import pydyf  # noqa: F401

    return document.write_pdf(finisher=finish)
'''


def test_the_check_catches_each_kind_of_patch():
    """What the old badge renderer did, and its likes, each reported with its line; a subclass's own private
    names, a library's data settings and namespaces are left alone."""
    found = violations(CAUGHT, "eventapp.badges.probe", "probe.py")
    assert [line.split(": ", 1)[1] for line in found] == [
        "overrides weasyprint.HTML._ua_stylesheets",
        "assigns ffi.new: replaces part of a library (ffi)",
        "assigns weasyprint.HTML._ua_stylesheets: replaces part of a library (weasyprint)",
        "setattr on ffi: changes a library's object",
        "assigns self._timeout: a private attribute of a library class",
        "imports pydyf: WeasyPrint's PDF objects are WeasyPrint's business",
        "passes a WeasyPrint finisher: edits the PDF objects WeasyPrint built",
    ]
    assert [int(line.split(":")[1]) for line in found] == [13, 20, 21, 22, 29, 37, 39]
