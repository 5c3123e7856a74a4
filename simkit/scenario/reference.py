"""The key reference of docs/scenario.md and the shipped JSON Schema, both written from the one
definition of the scenario file (``simkit.scenario.schema``).

``python -m simkit.scenario.reference`` rewrites both; ``--check`` exits 1 when either is out
of date (a test runs the same comparison).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

from pydantic.fields import FieldInfo

from simkit.scenario.schema import SCHEMA_PATH, Scenario, Section, Shown, allowed_text, sections_of, json_schema_text

__all__ = ["DOC_PATH", "BEGIN", "END", "key_reference", "sections", "updated_doc"]

DOC_PATH = Path(__file__).resolve().parent.parent.parent / "docs" / "scenario.md"
BEGIN = "<!-- key reference: written by `python -m simkit.scenario.reference` from simkit/scenario/schema.py; do not edit -->"
END = "<!-- end of the key reference -->"


def sections(model: type[Section] = Scenario) -> Iterator[type[Section]]:
    """``model`` and every section below it, each once, in the order the file meets them."""
    seen: list[type[Section]] = []

    def walk(m: type[Section]) -> None:
        if m in seen:
            return
        seen.append(m)
        for info in m.model_fields.values():
            for inner in sections_of(info.annotation):
                walk(inner)

    walk(model)
    yield from seen


def _default(info: FieldInfo) -> str:
    if info.is_required():
        return "required"
    shown = next((m.text for m in info.metadata if isinstance(m, Shown)), None)
    if shown is not None:
        return shown
    value = info.default
    if sections_of(info.annotation) and isinstance(value, dict):
        # A section defaults to its keys' defaults (below); vpc, whose key is required, to a value.
        return "`{" + ", ".join(f"{k}: {v}" for k, v in value.items()) + "}`" if value else "see below"
    if value is None or value == {} or value == []:
        return "none"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    return f"`{value}`"


def key_reference() -> str:
    """The key reference: one table per section (key, default, allowed, meaning)."""
    out = []
    for model in sections():
        out.append(f"### `{model.where}`" if model is not Scenario else "### Top level")
        out.append("")
        out.append(" ".join((model.__doc__ or "").split()))
        out.append("")
        out.append("| key | default | allowed | meaning |")
        out.append("|---|---|---|---|")
        for name, info in model.model_fields.items():
            meaning = " ".join((info.description or "").split()).replace("|", "\\|")
            out.append(f"| `{name}` | {_default(info)} | {allowed_text(info).replace('|', chr(92) + '|')} | {meaning} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def updated_doc(doc: str) -> str:
    """``doc`` (docs/scenario.md) with the text between ``BEGIN`` and ``END`` replaced by the
    current key reference."""
    head, _, rest = doc.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n\n{key_reference()}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    """Rewrite docs/scenario.md's key reference and the JSON Schema; with ``--check``, only say
    which is out of date (exit 1)."""
    argv = sys.argv[1:] if argv is None else argv
    doc = DOC_PATH.read_text(encoding="utf-8")
    wanted = {DOC_PATH: updated_doc(doc), SCHEMA_PATH: json_schema_text()}
    stale = [p for p, text in wanted.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
    if "--check" in argv:
        for p in stale:
            print(f"{p} is out of date: run python -m simkit.scenario.reference", file=sys.stderr)
        return 1 if stale else 0
    for p in stale:
        p.write_text(wanted[p], encoding="utf-8")
        print(f"wrote {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
