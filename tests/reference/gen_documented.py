"""Write simkit/api/documented.py from sdk_shapes.json: the documented request parameter names
of each action. Run from the repo root: python tests/reference/gen_documented.py"""

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET = HERE.parent.parent / "simkit" / "api" / "documented.py"


def render() -> str:
    d = json.loads((HERE / "sdk_shapes.json").read_text())
    src = d["_source"]
    lines = [
        '"""Documented request parameters of each action, from the official Python SDK models',
        f'(alibabacloud_ecs20140526 {src["alibabacloud_ecs20140526"]}, alibabacloud_vpc20160428 {src["alibabacloud_vpc20160428"]}). Generated from',
        "tests/reference/sdk_shapes.json by tests/reference/gen_documented.py; do not edit by hand.",
        "",
        "simkit accepts these names; the ones it does not model are accepted and ignored, so an SDK",
        "client that sets, say, a Tag or a Description is not refused. Any other name is",
        'UnsupportedParameter."""',
        "",
        "DOCUMENTED: dict[str, frozenset[str]] = {",
    ]
    for action in sorted(k for k in d if k != "_source"):
        lines.append(f'    "{action}": frozenset({sorted(d[action]["request"])!r}),')
    lines.append("}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    TARGET.write_text(render())
