"""Bar charts drawn on the server as inline SVG: no script, nothing to download, readable by
a screen reader (each chart has a title and a description, and its numbers are also in a
table next to it), and printable.

A chart is computed here as plain geometry; the template ``simulation_chart.html`` draws it.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Room for the row labels, the bars and the numbers after them, in SVG units (pixels).
_LABEL_WIDTH = 300
_PLOT_WIDTH = 380
_NUMBER_ROOM = 50
_BAR_HEIGHT = 12
_BAR_GAP = 2
_ROW_GAP = 12
_LEGEND_HEIGHT = 28
_LABEL_CHARACTERS = 44


@dataclass(frozen=True)
class Series:
    """One kind of bar (``gained``, ``lost``…): its key (also its CSS class) and its name."""

    key: str
    label: str


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class ChartRow:
    """One group of bars: a service or a department."""

    label: str
    full_label: str
    label_y: float
    bars: list[Bar]


@dataclass(frozen=True)
class BarChart:
    """A horizontal grouped bar chart, ready to draw."""

    id: str
    title: str
    description: str
    width: int
    height: float
    label_width: int
    rows: list[ChartRow]
    series: list[Series]


def _short(label: str) -> str:
    if len(label) <= _LABEL_CHARACTERS:
        return label
    return label[: _LABEL_CHARACTERS - 1].rstrip() + "…"


def bar_chart(
    chart_id: str,
    title: str,
    description: str,
    rows: list[tuple[str, dict[str, int]]],
    series: list[Series],
) -> BarChart:
    """A chart of ``rows`` (label → value of each series), one bar per series per row, all
    on one scale (the largest value spans the plot)."""
    largest = max([1, *(values.get(s.key, 0) for _, values in rows for s in series)])
    group = len(series) * (_BAR_HEIGHT + _BAR_GAP) - _BAR_GAP
    drawn: list[ChartRow] = []
    top = float(_LEGEND_HEIGHT)
    for label, values in rows:
        bars = []
        for index, kind in enumerate(series):
            value = int(values.get(kind.key, 0))
            bars.append(
                Bar(
                    key=kind.key,
                    label=kind.label,
                    value=value,
                    x=float(_LABEL_WIDTH),
                    y=top + index * (_BAR_HEIGHT + _BAR_GAP),
                    width=round(_PLOT_WIDTH * value / largest, 1),
                    height=float(_BAR_HEIGHT),
                )
            )
        drawn.append(ChartRow(_short(label), label, top + group / 2 + 4, bars))
        top += group + _ROW_GAP
    return BarChart(
        id=chart_id,
        title=title,
        description=description,
        width=_LABEL_WIDTH + _PLOT_WIDTH + _NUMBER_ROOM,
        height=top,
        label_width=_LABEL_WIDTH,
        rows=drawn,
        series=series,
    )
