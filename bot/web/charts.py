"""Charts as SVG drawn on the server with pygal: plain SVG text, no browser script (its
tooltip script is switched off), colours with enough contrast on white. Each chart goes
into the page as an image with a text alternative, and the page lists the same numbers
in a table, for screen readers and for copying.

Why pygal: it writes SVG itself in pure Python (no rendering backend, font cache or global
plotting state in the bot's process), its output is small and scales, and it is
maintained (3.1, 2026). matplotlib's SVG backend would work too, at ten times the import
time and memory.

pygal is imported when the first chart is drawn, not with the web app: importing it puts
a finder on `sys.meta_path` without `find_spec`, and under `python -X dev` every later
import of the process then warns (ImportWarning) on stderr, which is the bot's JSON log.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from functools import cache
from typing import Any

STYLE = dict(
    background="#ffffff", plot_background="#ffffff", foreground="#1a1a1a",
    foreground_strong="#1a1a1a", foreground_subtle="#5c5c5c", opacity="1",
    opacity_hover="1", colors=("#0b5394", "#9c4a00", "#2f6b1f", "#6d1b4f"),
    font_family="system-ui, sans-serif", label_font_size=13, major_label_font_size=13,
    value_font_size=13, title_font_size=16, legend_font_size=13,
    value_colors=("#ffffff",) * 4)  # numbers sit inside the dark bars


@cache
def _pygal() -> tuple[Any, Any]:
    """pygal and its style, on first use."""
    import pygal  # noqa: PLC0415 (see the module's docstring)
    from pygal.style import Style  # noqa: PLC0415

    return pygal, Style(**STYLE)
WIDTH = 720
ROW = 34  # pixels per bar of a horizontal chart


@dataclass(frozen=True)
class Chart:
    """A drawn chart: the image (a data: URL), its title, and the numbers it shows."""

    title: str
    image: str
    rows: list[tuple[str, int]]


def bars(title: str, rows: list[tuple[str, int]]) -> Chart:
    """One horizontal bar per row, top to bottom in the order given, each with its number."""
    pygal, style = _pygal()
    chart = pygal.HorizontalBar(
        style=style, width=WIDTH, height=120 + ROW * max(len(rows), 1), show_legend=False,
        print_values=True, js=[], title=title, truncate_label=-1, margin=12)
    chart.x_labels = [label for label, _n in reversed(rows)]
    chart.add(title, [n for _label, n in reversed(rows)])
    return Chart(title, _data_url(chart.render()), rows)


def grouped(title: str, labels: list[str], series: list[tuple[str, list[int | None]]]) -> Chart:
    """Bars side by side per label, one colour per series (with a legend)."""
    pygal, style = _pygal()
    chart = pygal.Bar(style=style, width=WIDTH, height=400, print_values=True, js=[],
                      title=title, legend_at_bottom=True, truncate_label=-1, margin=12)
    chart.x_labels = labels
    for name, values in series:
        chart.add(name, values)
    rows = [(f"{label} · {name}", value) for name, values in series
            for label, value in zip(labels, values, strict=True) if value is not None]
    return Chart(title, _data_url(chart.render()), rows)


def _data_url(svg: bytes) -> str:
    """An <img> source that needs no second request and no inline style in the page."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
