"""Layers import downwards only (DESIGN.md: architecture), checked by reading the imports.

Every module of simkit must belong to a layer listed here, so a new module is placed on
purpose rather than by accident. pandas stays out of the address space and the cloud model
altogether, and everywhere else is imported only inside the function that needs it, so that
``import simkit`` and a run do not pay for it.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "simkit"

#: Lowest first. A module may import its own layer and the ones before it.
LAYERS = [
    ("errors",),
    ("clock",),
    ("net",),
    ("catalog",),
    ("ecs",),
    ("api",),
    ("workloads",),
    ("agents",),
    ("engine",),
    ("scenario",),
    ("analysis",),
    ("cli", "report", "widgets", "viz", "serve", "__main__"),
]
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}
#: The curated public API re-exports from every layer.
EXEMPT = {"__init__"}
#: Layers that must stay free of plotting, notebooks and the command line.
HEADLESS = {"errors", "clock", "catalog", "net", "ecs", "engine"}
FORBIDDEN_IN_HEADLESS = {"matplotlib", "IPython", "ipywidgets", "tqdm"}
#: Layers that work on integers and plain values only: not even a lazy import of these.
MODEL = {"net", "ecs"}
FORBIDDEN_IN_MODEL = {"pandas"}
#: Anywhere in simkit, imported only inside a function, never when a module loads.
LAZY_ONLY = {"pandas"}
#: The one way up: Jupyter asks an object itself for its HTML (``_repr_html_``), and a Result's
#: HTML is the capacity report, whose one renderer is presentation. The hook may import that
#: layer, inside itself, and nothing else may.
DISPLAY_HOOKS = {"_repr_html_": "report"}


def layer_of(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0].removesuffix(".py")


def imports(path: Path, functions: bool = False):
    """(line, module, lazy) for every import in ``path``; lazy: inside a function body. With
    ``functions``, (line, module, lazy, the name of the innermost function around it or None)."""
    tree = ast.parse(path.read_text(), filename=str(path))

    def walk(node: ast.AST, lazy: bool, function: str | None):
        for child in ast.iter_child_nodes(node):
            found = []
            if isinstance(child, ast.Import):
                found = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                found = [child.module]
            elif isinstance(child, ast.ImportFrom) and child.level:
                raise AssertionError(f"{path}:{child.lineno}: use absolute imports (from simkit....)")
            for module in found:
                yield (child.lineno, module, lazy, function) if functions else (child.lineno, module, lazy)
            inner = isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            yield from walk(child, lazy or inner, getattr(child, "name", "<lambda>") if inner else function)

    yield from walk(tree, False, None)


def violations(path: Path, layer: str | None) -> list[str]:
    """What in ``path`` (a module of ``layer``) breaks the import rules. ``layer`` None: the
    curated API, which may import every layer but still imports heavy libraries lazily."""
    found = []
    for lineno, module, lazy, function in imports(path, functions=True):
        top = module.split(".")[0]
        if layer in MODEL and top in FORBIDDEN_IN_MODEL:
            found.append(f"{path.name}:{lineno} imports {module} in the {layer} layer, even inside a function")
        elif top in LAZY_ONLY and not lazy:
            found.append(f"{path.name}:{lineno} imports {module} when the module loads; import it inside the function that uses it")
        if layer is None:
            continue
        if layer in HEADLESS and top in FORBIDDEN_IN_HEADLESS:
            found.append(f"{path.name}:{lineno} imports {module} in the {layer} layer")
        if top != "simkit" or module == "simkit":
            continue
        target = module.split(".")[1]
        if target not in RANK:
            found.append(f"{path.name}:{lineno} imports {module}, which is in no layer")
        elif RANK[target] > RANK[layer] and not (lazy and DISPLAY_HOOKS.get(function) == target):
            found.append(f"{path.name}:{lineno} imports {module}: layer '{layer}' may not import the higher layer '{target}'")
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if layer_of(p) not in EXEMPT)
CURATED = sorted(p for p in PACKAGE.rglob("*.py") if layer_of(p) in EXEMPT)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_imports_only_its_layer_and_below(path):
    layer = layer_of(path)
    assert layer in RANK, f"{path.relative_to(PACKAGE)} is in no layer; add '{layer}' to LAYERS in {__file__}"
    assert violations(path, layer) == []


@pytest.mark.parametrize("path", CURATED, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_curated_api_imports_heavy_libraries_lazily(path):
    assert violations(path, None) == []


def test_the_check_catches_upward_and_presentation_imports(tmp_path):
    module = tmp_path / "space.py"
    module.write_text("import numpy\nfrom simkit.net.addr import Cidr\nfrom simkit.ecs import model\nimport matplotlib.pyplot\n")
    found = violations(module, "net")
    assert len(found) == 2
    assert "may not import the higher layer 'ecs'" in found[0] and ":3 " in found[0]
    assert "matplotlib.pyplot in the net layer" in found[1]
    assert violations(module, "cli") == []


def test_the_check_catches_pandas_in_the_model_and_when_a_module_loads(tmp_path):
    module = tmp_path / "frames.py"
    module.write_text("import pandas as pd\n"
                      "\n"
                      "class Result:\n"
                      "    from pandas import DataFrame\n"  # a class body runs when the module loads
                      "\n"
                      "    def samples(self):\n"
                      "        import pandas.api.types\n")
    eager = [f"frames.py:{n} imports {m} when the module loads; import it inside the function that uses it"
             for n, m in ((1, "pandas"), (4, "pandas"))]
    assert violations(module, "engine") == eager
    assert violations(module, None) == eager
    for layer in ("net", "ecs"):
        found = violations(module, layer)
        assert [f.split(" ")[0] for f in found] == ["frames.py:1", "frames.py:4", "frames.py:7"]
        assert all(f"in the {layer} layer, even inside a function" in f for f in found)
    module.write_text("def frame():\n    import pandas\n    return pandas\n")
    assert violations(module, "scenario") == violations(module, None) == []
    assert len(violations(module, "ecs")) == 1


def test_only_a_display_hook_reaches_up_to_the_report(tmp_path):
    """``_repr_html_`` may import the report's renderer inside itself; the same import anywhere
    else, or of another higher layer, or when the module loads, is refused."""
    module = tmp_path / "result.py"
    module.write_text("class Result:\n"
                      "    def _repr_html_(self):\n"
                      "        from simkit.report import result_html\n"
                      "        from simkit.viz import pods\n"
                      "\n"
                      "    def html(self):\n"
                      "        from simkit.report import result_html\n"
                      "\n"
                      "from simkit.report import result_html\n")
    found = violations(module, "scenario")
    assert [f.split(" ")[0] for f in found] == ["result.py:4", "result.py:7", "result.py:9"]
    assert all("may not import the higher layer" in f for f in found)
