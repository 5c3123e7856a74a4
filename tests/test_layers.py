"""Layers import downwards only (DESIGN.md: architecture), checked by reading the imports.

Every module of simkit must belong to a layer listed here, so a new module is placed on
purpose rather than by accident.
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


def layer_of(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0].removesuffix(".py")


def simkit_imports(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}:{node.lineno}: use absolute imports (from simkit....)")


def violations(path: Path, layer: str) -> list[str]:
    """What in ``path`` (a module of ``layer``) breaks the layering rules."""
    found = []
    for lineno, module in simkit_imports(path):
        top = module.split(".")[0]
        if layer in HEADLESS and top in FORBIDDEN_IN_HEADLESS:
            found.append(f"{path.name}:{lineno} imports {module} in the {layer} layer")
        if top != "simkit" or module == "simkit":
            continue
        target = module.split(".")[1]
        if target not in RANK:
            found.append(f"{path.name}:{lineno} imports {module}, which is in no layer")
        elif RANK[target] > RANK[layer]:
            found.append(f"{path.name}:{lineno} imports {module}: layer '{layer}' may not import the higher layer '{target}'")
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if layer_of(p) not in EXEMPT)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_imports_only_its_layer_and_below(path):
    layer = layer_of(path)
    assert layer in RANK, f"{path.relative_to(PACKAGE)} is in no layer; add '{layer}' to LAYERS in {__file__}"
    assert violations(path, layer) == []


def test_the_check_catches_upward_and_presentation_imports(tmp_path):
    module = tmp_path / "space.py"
    module.write_text("import numpy\nfrom simkit.net.addr import Cidr\nfrom simkit.ecs import model\nimport matplotlib.pyplot\n")
    found = violations(module, "net")
    assert len(found) == 2
    assert "may not import the higher layer 'ecs'" in found[0] and ":3 " in found[0]
    assert "matplotlib.pyplot in the net layer" in found[1]
    assert violations(module, "cli") == []
