"""The one renderer: Jinja2 templates shipped in the package (``simkit/report/templates``) turn
a report's context (plain values, tables already as HTML, figures as data URIs) into a string,
with no I/O. A report is a fragment, scoped by its class so that a notebook shows it as it is;
the document wrapper makes it a page."""

from __future__ import annotations

import functools
from typing import Any

__all__ = ["render", "table_html"]


@functools.cache
def environment():
    """The Jinja2 environment: templates from the package, every value escaped unless marked
    safe, and a name the template uses but the context lacks is an error, not an empty string."""
    import jinja2

    return jinja2.Environment(loader=jinja2.PackageLoader("simkit.report", "templates"), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render(template: str, context: dict[str, Any], *, document: bool = True) -> str:
    """``template`` rendered with ``context``: the whole page (``document``), or the fragment a
    notebook shows."""
    import markupsafe

    env = environment()
    fragment = env.get_template(template).render(**context)
    if not document:
        return fragment
    import simkit

    return env.get_template("document.html.j2").render(title=context["title"], version=simkit.__version__,
                                                       content=markupsafe.Markup(fragment))


def table_html(frame: Any, float_format: str = "{:,.6g}") -> Any:
    """A DataFrame as an HTML table (pandas' ``to_html``: every cell escaped) in a box that
    scrolls sideways when it is wider than the page, marked safe for the templates; None for an
    empty frame."""
    import markupsafe

    if frame is None or len(frame) == 0:
        return None
    html = frame.to_html(index=False, border=0, classes="data", na_rep="", escape=True,
                         float_format=float_format.format)
    return markupsafe.Markup(f'<div class="wide">{html}</div>')
