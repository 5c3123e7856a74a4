#!/usr/bin/env python3
"""Extract request-parameter and response-body shapes from the Alibaba Cloud
Python SDK model sources, without importing the SDK.

Usage:
    python tests/reference/extract_sdk_shapes.py [-o OUT.json] PKG_DIR [PKG_DIR ...]

Each PKG_DIR is an unzipped wheel (the directory that contains
``alibabacloud_ecs20140526/`` and its ``*.dist-info``) or the package directory
itself.  Supported layouts: ``<pkg>/models/_<name>.py`` (one module per model,
indexed by ``models/__init__.py``) and the older single ``<pkg>/models.py``.

Everything is derived statically with ``ast``:
  * wire keys come from ``to_map`` (``result['Key'] = ...``), falling back to
    ``from_map`` (``m.get('Key')``);
  * types come from the ``__init__`` annotations (str/int/bool/float,
    ``List[...]``, ``Dict[...]``, nested model classes resolved recursively);
  * docs come from the ``#`` comment block (or string literal) directly above
    ``self.<field> = <field>`` in ``__init__``; a field is required when its doc
    says "This parameter is required."
Stdlib only.
"""
from __future__ import annotations

import argparse
import ast
import glob
import json
import os
import re
import sys

DOC_LIMIT = 300
REQUIRED_MARK = "This parameter is required."

ACTIONS = {
    "alibabacloud_ecs20140526": [
        "RunInstances", "StartInstance", "StopInstance", "DeleteInstance",
        "DescribeInstanceTypes", "CreateSecurityGroup", "CreateNetworkInterface",
        "AttachNetworkInterface", "DetachNetworkInterface", "DeleteNetworkInterface",
        "DescribeNetworkInterfaces", "AssignPrivateIpAddresses",
        "UnassignPrivateIpAddresses",
    ],
    "alibabacloud_vpc20160428": [
        "CreateVpc", "CreateVSwitch", "DescribeVSwitches",
        "CreateVSwitchCidrReservation", "ListVSwitchCidrReservations",
        "GetVSwitchCidrReservationUsage",
    ],
}

SCALARS = {
    "str": "string", "int": "integer", "bool": "boolean", "float": "number",
    "bytes": "string", "Any": "any", "dict": "object", "object": "any",
    "BinaryIO": "binary",
}


# --------------------------------------------------------------------------
# locating packages and classes
# --------------------------------------------------------------------------
def find_package(path: str) -> tuple[str, str]:
    """Return (package_name, package_dir) for an unzipped wheel or package dir."""
    path = os.path.abspath(path)
    names = set(ACTIONS)
    base = os.path.basename(path.rstrip("/"))
    if base in names and os.path.isdir(path):
        return base, path
    for name in names:
        cand = os.path.join(path, name)
        if os.path.isdir(cand):
            return name, cand
    raise SystemExit(f"no known SDK package ({', '.join(sorted(names))}) under {path}")


def package_version(pkg_name: str, pkg_dir: str) -> str:
    init = os.path.join(pkg_dir, "__init__.py")
    if os.path.exists(init):
        m = re.search(r"__version__\s*=\s*['\"]([^'\"]+)['\"]", open(init, encoding="utf-8").read())
        if m:
            return m.group(1)
    parent = os.path.dirname(pkg_dir)
    for meta in glob.glob(os.path.join(parent, pkg_name + "-*.dist-info", "METADATA")):
        for line in open(meta, encoding="utf-8"):
            if line.startswith("Version:"):
                return line.split(":", 1)[1].strip()
    return "unknown"


class ModelIndex:
    """Lazily parses model source files and indexes ``ClassDef`` nodes."""

    def __init__(self, pkg_dir: str):
        self.pkg_dir = pkg_dir
        self.class_file: dict[str, str] = {}
        self.parsed: dict[str, tuple[ast.Module, list[str]]] = {}
        self.classes: dict[str, tuple[ast.ClassDef, list[str]]] = {}
        models_dir = os.path.join(pkg_dir, "models")
        models_py = os.path.join(pkg_dir, "models.py")
        if os.path.isdir(models_dir):
            self.layout = "models/ package"
            init = os.path.join(models_dir, "__init__.py")
            tree = ast.parse(open(init, encoding="utf-8").read())
            for node in tree.body:
                if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
                    f = os.path.join(models_dir, *node.module.split(".")) + ".py"
                    for alias in node.names:
                        self.class_file[alias.asname or alias.name] = f
            self.fallback_files = sorted(glob.glob(os.path.join(models_dir, "*.py")))
        elif os.path.exists(models_py):
            self.layout = "single models.py"
            self._parse(models_py)
            self.fallback_files = []
        else:
            raise SystemExit(f"no models/ or models.py in {pkg_dir}")

    def _parse(self, path: str) -> None:
        if path in self.parsed:
            return
        src = open(path, encoding="utf-8").read()
        tree = ast.parse(src)
        lines = src.splitlines()
        self.parsed[path] = (tree, lines)
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                self.classes.setdefault(node.name, (node, lines))

    def get(self, name: str):
        if name not in self.classes and name in self.class_file:
            self._parse(self.class_file[name])
        if name not in self.classes:
            # slow path: guess the file from the class name, then scan everything
            for f in self.fallback_files:
                if f in self.parsed:
                    continue
                self._parse(f)
                if name in self.classes:
                    break
        return self.classes.get(name)


# --------------------------------------------------------------------------
# per-class field extraction
# --------------------------------------------------------------------------
def _method(cls: ast.ClassDef, name: str):
    for node in cls.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            return node
    return None


def _self_attrs(node) -> list[str]:
    out = []
    for n in ast.walk(node):
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "self":
            if n.attr not in out:
                out.append(n.attr)
    return out


def _result_keys(node) -> list[str]:
    out = []
    for n in ast.walk(node):
        if (isinstance(n, ast.Subscript) and isinstance(n.value, ast.Name)
                and n.value.id != "m"):
            sl = n.slice
            if isinstance(sl, ast.Index):  # py<3.9
                sl = sl.value
            if isinstance(sl, ast.Constant) and isinstance(sl.value, str) and sl.value not in out:
                out.append(sl.value)
    return out


def _mget_keys(node) -> list[str]:
    out = []
    for n in ast.walk(node):
        if (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "get"
                and isinstance(n.func.value, ast.Name) and n.args
                and isinstance(n.args[0], ast.Constant) and isinstance(n.args[0].value, str)):
            if n.args[0].value not in out:
                out.append(n.args[0].value)
    return out


def wire_keys(cls: ast.ClassDef) -> dict[str, str]:
    """attribute name -> wire key, from to_map (preferred) and from_map."""
    mapping: dict[str, str] = {}
    fn = _method(cls, "to_map")
    if fn is not None:
        for stmt in fn.body:
            keys, attrs = _result_keys(stmt), _self_attrs(stmt)
            if len(keys) == 1 and len(attrs) == 1:
                mapping.setdefault(attrs[0], keys[0])
    fn = _method(cls, "from_map")
    if fn is not None:
        for stmt in fn.body:
            keys, attrs = _mget_keys(stmt), _self_attrs(stmt)
            if len(keys) == 1 and len(attrs) == 1:
                mapping.setdefault(attrs[0], keys[0])
    return mapping


def _comment_block(lines: list[str], lineno: int) -> str:
    """Contiguous '#' comment lines directly above 1-based ``lineno``."""
    i = lineno - 2
    block = []
    while i >= 0:
        s = lines[i].strip()
        if s.startswith("#"):
            block.append(s[1:][1:] if s[1:].startswith(" ") else s[1:])
            i -= 1
        else:
            break
    block.reverse()
    return "\n".join(line.rstrip() for line in block)


def _clean(doc: str) -> str:
    doc = "\n".join(line.rstrip() for line in doc.strip().splitlines())
    return re.sub(r"\n\s*\n+", "\n", doc)


def field_docs(cls: ast.ClassDef, lines: list[str]) -> dict[str, str]:
    docs: dict[str, str] = {}
    init = _method(cls, "__init__")
    if init is None:
        return docs
    prev = None
    for stmt in init.body:
        if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Attribute)
                and isinstance(stmt.targets[0].value, ast.Name)
                and stmt.targets[0].value.id == "self"):
            attr = stmt.targets[0].attr
            doc = _comment_block(lines, stmt.lineno)
            if not doc and isinstance(prev, ast.Expr) and isinstance(prev.value, ast.Constant) \
                    and isinstance(prev.value.value, str):
                doc = prev.value.value  # older layouts: string literal before the field
            docs[attr] = _clean(doc)
        prev = stmt
    return docs


def field_annotations(cls: ast.ClassDef) -> dict[str, ast.AST | None]:
    init = _method(cls, "__init__")
    out: dict[str, ast.AST | None] = {}
    if init is None:
        return out
    for a in init.args.args[1:] + init.args.kwonlyargs:
        ann = a.annotation
        if isinstance(ann, ast.Constant) and isinstance(ann.value, str):
            ann = ast.parse(ann.value, mode="eval").body
        out[a.arg] = ann
    return out


def fields(index: ModelIndex, cls_name: str):
    """Yield (wire_key, annotation_ast, doc) for each field of a model class."""
    found = index.get(cls_name)
    if found is None:
        raise KeyError(f"model class {cls_name} not found")
    cls, lines = found
    keys = wire_keys(cls)
    docs = field_docs(cls, lines)
    anns = field_annotations(cls)
    for attr, ann in anns.items():
        if attr not in keys:
            print(f"warning: {cls_name}.{attr} has no wire key; skipped", file=sys.stderr)
            continue
        yield keys[attr], ann, docs.get(attr, "")


# --------------------------------------------------------------------------
# types
# --------------------------------------------------------------------------
def _sub_args(ann: ast.Subscript) -> list[ast.AST]:
    sl = ann.slice
    if isinstance(sl, ast.Index):  # py<3.9
        sl = sl.value
    return list(sl.elts) if isinstance(sl, ast.Tuple) else [sl]


def classify(ann):
    """-> ('scalar', name) | ('list', inner) | ('map', inner) | ('model', cls_name)."""
    if ann is None:
        return ("scalar", "any")
    if isinstance(ann, ast.Name):
        if ann.id in SCALARS:
            return ("scalar", SCALARS[ann.id])
        return ("model", ann.id)
    if isinstance(ann, ast.Attribute):  # main_models.Foo
        if ann.attr in SCALARS:
            return ("scalar", SCALARS[ann.attr])
        return ("model", ann.attr)
    if isinstance(ann, ast.Subscript):
        base = ann.value.attr if isinstance(ann.value, ast.Attribute) else getattr(ann.value, "id", "")
        args = _sub_args(ann)
        if base in ("List", "list", "Sequence"):
            return ("list", classify(args[0]))
        if base in ("Dict", "dict", "Mapping"):
            return ("map", classify(args[-1]))
        if base == "Optional":
            return classify(args[0])
    if isinstance(ann, ast.Constant) and ann.value is None:
        return ("scalar", "any")
    return ("scalar", "any")


def type_name(kind) -> str:
    tag, inner = kind
    if tag == "scalar":
        return inner
    if tag == "model":
        return "object"
    if tag == "list":
        return f"array<{type_name(inner)}>"
    return f"map<string,{type_name(inner)}>"


def request_shape(index: ModelIndex, cls_name: str, stack=()) -> dict:
    out: dict = {}
    for key, ann, doc in fields(index, cls_name):
        kind = classify(ann)
        entry = {
            "type": type_name(kind),
            "required": REQUIRED_MARK in doc,
            "doc": doc[:DOC_LIMIT],
        }
        model = kind
        while model[0] in ("list", "map"):
            model = model[1]
        if model[0] == "model" and model[1] not in stack:
            entry["fields"] = request_shape(index, model[1], stack + (cls_name,))
        out[key] = entry
    return out


def response_shape(index: ModelIndex, cls_name: str, stack=()):
    out: dict = {}
    for key, ann, _doc in fields(index, cls_name):
        out[key] = _shape_of(index, classify(ann), stack + (cls_name,))
    return out


def _shape_of(index: ModelIndex, kind, stack):
    tag, inner = kind
    if tag == "scalar":
        return inner
    if tag == "list":
        return [_shape_of(index, inner, stack)]
    if tag == "map":
        return {"*": _shape_of(index, inner, stack)}
    if inner in stack:
        return f"<recursive {inner}>"
    return response_shape(index, inner, stack)


# --------------------------------------------------------------------------
# client.py metadata
# --------------------------------------------------------------------------
def client_meta(pkg_dir: str) -> tuple[str, dict[str, str]]:
    src = open(os.path.join(pkg_dir, "client.py"), encoding="utf-8").read()
    m = re.search(r"get_endpoint\(\s*'([^']+)'", src)
    product = m.group(1) if m else ""
    versions = dict(re.findall(r"action\s*=\s*'([^']+)',\s*version\s*=\s*'([^']+)'", src))
    return product, versions


def main(argv=None) -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pkg_dirs", nargs="+", help="unzipped wheel dirs (or package dirs)")
    ap.add_argument("-o", "--out", default=os.path.join(here, "sdk_shapes.json"))
    ap.add_argument("--actions", help="comma-separated actions to extract instead of the 19 simkit serves, "
                    "looked for in every package given (the importer's: DescribeInstances,DescribeSecurityGroups)")
    args = ap.parse_args(argv)
    actions = ACTIONS
    if args.actions:
        wanted = [a.strip() for a in args.actions.split(",") if a.strip()]
        actions = {pkg: wanted for pkg in ACTIONS}

    result: dict = {"_source": {}}
    body: dict = {}
    for path in args.pkg_dirs:
        pkg_name, pkg_dir = find_package(path)
        result["_source"][pkg_name] = package_version(pkg_name, pkg_dir)
        index = ModelIndex(pkg_dir)
        product, versions = client_meta(pkg_dir)
        for action in actions[pkg_name]:
            if args.actions and index.get(action + "Request") is None:
                continue
            body[action] = {
                "product": product,
                "version": versions.get(action, ""),
                "request": request_shape(index, action + "Request"),
                "response": response_shape(index, action + "ResponseBody"),
            }
            print(f"{pkg_name} ({index.layout}): {action}: "
                  f"{len(body[action]['request'])} request params, "
                  f"{len(body[action]['response'])} response keys", file=sys.stderr)
    missing = sorted({a for pkg in result["_source"] for a in actions[pkg] if a not in body})
    if missing:
        print(f"warning: missing actions: {missing}", file=sys.stderr)
    for pkg in actions:
        for action in actions[pkg]:
            if action in body and action not in result:
                result[action] = body[action]
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(result, fh, indent=1, ensure_ascii=False)
        fh.write("\n")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
