"""The package's layers import one way only (see docs/architecture.md).

Every module of ``wagtail_selvhjelp`` is read with ``ast`` (imports inside
functions included, so a deferred import cannot hide an upward dependency)
and checked against the layer it belongs to: a module may import modules of
its own layer or below, never above. The engine under ``matching/`` imports
nothing of the package and nothing of Django, and no module imports
``wagtail_hooks``. The imports that run at import time form no cycle.
"""

import ast
from pathlib import Path

import pytest

import wagtail_selvhjelp


PACKAGE = "wagtail_selvhjelp"
ROOT = Path(wagtail_selvhjelp.__file__).parent

#: Layers from the bottom up; a module's layer is that of its longest prefix.
LAYERS = [
    ("matching",),
    (
        "choices",
        "conf",
        "phone",
        "blocks",
        "guards",
        "tokens",
        "http",
        "signals",
        "page_forms",
        "checks",
        "encryption",
        "fields",
        "reason_texts",
        "audit",
        "fragment_cache",
        "admin_urls",
        "sms",
        "calendars",
        "task_backend",
        "compat",
    ),
    ("models",),
    (
        "forms",
        "adapters",
        "permissions",
        "templatetags",
        "privacy",
        "admin_forms",
    ),
    ("filters", "export", "proposals"),
    ("views", "viewsets", "tasks", "notifications", "middleware", "urls"),
    ("handlers", "management", "cache_purge"),
    ("wagtail_hooks", "apps"),
]


def module_name(path):
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def layer_of(module):
    if module == PACKAGE:
        return -1  # the package's __init__: a version number, imports nothing
    first = module.split(".")[1]
    for index, names in enumerate(LAYERS):
        if first in names:
            return index
    raise AssertionError(f"{module} is in no layer: add it to LAYERS and the docs")


def _import_time_nodes(tree):
    """The nodes that run when the module is imported: not function bodies."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                stack.append(child)


def imports_of(path, *, deferred=True):
    """Every module ``path`` imports, absolute, with the line it is on.

    ``deferred=False`` leaves out imports inside functions, which run only
    when the function is called.
    """
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree) if deferred else _import_time_nodes(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module
            yield target, node.lineno
            # "from . import checks" imports the submodule itself.
            for alias in node.names:
                yield f"{target}.{alias.name}", node.lineno


def package_modules():
    names = {module_name(path) for path in ROOT.rglob("*.py")}
    return names


MODULES = sorted(ROOT.rglob("*.py"))
NAMES = package_modules()


def internal(target):
    """The package module ``target`` refers to, or None for outside ones."""
    if target != PACKAGE and not target.startswith(PACKAGE + "."):
        return None
    while target not in NAMES:  # "pkg.models.Registration" -> "pkg.models"
        target = target.rpartition(".")[0]
    return target


@pytest.mark.parametrize("path", MODULES, ids=lambda path: module_name(path))
def test_imports_go_down_the_layers_only(path):
    module = module_name(path)
    if "migrations" in module.split("."):
        return  # generated; they name the classes the migration state needs
    own = layer_of(module)
    for target, line in imports_of(path):
        target = internal(target)
        if target is None or target == PACKAGE:
            continue
        assert layer_of(target) <= own, (
            f"{module} (line {line}) imports {target}, a higher layer"
        )
        assert not target.startswith(f"{PACKAGE}.wagtail_hooks"), (
            f"{module} (line {line}) imports wagtail_hooks, which only registers"
        )


@pytest.mark.parametrize(
    "path", sorted((ROOT / "matching").rglob("*.py")), ids=lambda path: path.name
)
def test_the_engine_imports_no_django_and_nothing_of_the_package(path):
    for target, line in imports_of(path):
        assert target.split(".")[0] not in {"django", "wagtail", "modelcluster"}, (
            f"matching/{path.name} (line {line}) imports {target}"
        )
        found = internal(target)
        assert found is None or found.startswith(f"{PACKAGE}.matching"), (
            f"matching/{path.name} (line {line}) imports {found}"
        )


def test_no_import_cycles():
    """No cycle among the imports that run at import time.

    A deferred import inside a function may point back within its own layer:
    that is how Wagtail's page model reaches its copy, delete and publish
    actions, and how a model's method here delegates to its action
    (``models/actions.py`` imports the models). It cannot make an import-time
    cycle; the layer test above still reads it.
    """
    graph = {}
    for path in MODULES:
        module = module_name(path)
        if "migrations" in module.split("."):
            continue
        graph[module] = set()
        for target, _line in imports_of(path, deferred=False):
            target = internal(target)
            # A package importing its own submodules (re-exports) is no cycle.
            if target and target != module and not target.startswith(module + "."):
                graph[module].add(target)

    visiting, done = [], set()

    def visit(module):
        if module in done:
            return
        if module in visiting:
            cycle = visiting[visiting.index(module) :] + [module]
            pytest.fail("import cycle: " + " -> ".join(cycle))
        visiting.append(module)
        for target in sorted(graph.get(module, ())):
            if not module.startswith(target + "."):  # a module's own package
                visit(target)
        visiting.pop()
        done.add(module)

    for module in sorted(graph):
        visit(module)


def test_models_import_no_forms_views_viewsets_or_tasks():
    forbidden = ("forms", "views", "viewsets", "tasks", "handlers")
    for path in sorted((ROOT / "models").rglob("*.py")):
        for target, line in imports_of(path):
            found = internal(target) or ""
            assert found.split(".")[1:2] not in [[name] for name in forbidden], (
                f"models/{path.name} (line {line}) imports {found}"
            )


def test_background_work_imports_no_admin_module():
    """Tasks and messages reverse admin URLs by name (``admin_urls``)."""
    admin = ("views", "viewsets", "admin_forms", "filters", "wagtail_hooks")
    for name in ("tasks.py", "notifications.py"):
        for target, line in imports_of(ROOT / name):
            found = internal(target) or ""
            assert found.split(".")[1:2] not in [[module] for module in admin], (
                f"{name} (line {line}) imports {found}"
            )
