"""Figures into widgets: a Figure drawn to PNG bytes for an ``ipywidgets.Image``, which shows in
any front end (JupyterLab, VS Code, nbclient's outputs) without an interactive backend, and the
run's sentences as HTML."""

from __future__ import annotations

import html
import io

__all__ = ["png_of", "sentences_html"]


def png_of(fig) -> bytes:
    """``fig`` rendered to PNG by Agg (no pyplot state involved)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    buffer = io.BytesIO()
    FigureCanvasAgg(fig).print_png(buffer)
    return buffer.getvalue()


def sentences_html(sentences: list[str], title: str = "") -> str:
    """Sentences as an HTML list under an optional title, every text escaped."""
    items = "".join(f"<li>{html.escape(s)}</li>" for s in sentences)
    head = f"<b>{html.escape(title)}</b>" if title else ""
    return f"<div style='max-width: 28em'>{head}<ul style='padding-left: 1.2em'>{items}</ul></div>"
