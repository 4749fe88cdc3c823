"""Charts as plain geometry, drawn as SVG by templates (staff/charts/*.html): no
JavaScript, no chart library. Each chart carries a title and a description, each bar a
title; the page beside it has the figures as a table."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    title: str
    css: str = ""


@dataclass(frozen=True)
class Tick:
    at: float  # x (an x tick) or y (a y tick) in the chart's coordinates
    label: str


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    description: str
    width: int
    height: int
    left: int
    top: int
    right: int   # x of the plot's right edge
    bottom: int  # y of the plot's baseline
    bars: list[Rect]
    y_ticks: list[Tick]
    x_ticks: list[Tick]


def nice_ceiling(value: int, *, steps: int = 4) -> tuple[int, int]:
    """(top, step): a round top of the y axis at or above `value`, in `steps` or fewer
    round steps (1, 2 or 5 times a power of ten)."""
    if value <= 0:
        return steps, 1
    raw = value / steps
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return step * math.ceil(value / step), step


def bar_chart(*, id: str, title: str, description: str, values: Sequence[int],
              bar_titles: Sequence[str], x_labels: Sequence[tuple[int, str]],
              width: int = 720, height: int = 240) -> BarChart:
    """Vertical bars, one per value, left to right; `x_labels`: (index, text) pairs."""
    left, top, right, bottom = 56, 12, width - 8, height - 32
    top_value, step = nice_ceiling(max(values, default=0))
    slot = (right - left) / max(len(values), 1)
    gap = min(2.0, slot * 0.2)
    scale = (bottom - top) / top_value

    def y(value: float) -> float:
        return round(bottom - value * scale, 1)

    bars = [Rect(x=round(left + i * slot + gap / 2, 1), y=y(v), width=round(slot - gap, 1),
                 height=round(v * scale, 1), title=t)
            for i, (v, t) in enumerate(zip(values, bar_titles, strict=True)) if v > 0]
    y_ticks = [Tick(at=y(v), label=f"{v:,}") for v in range(0, top_value + 1, step)]
    x_ticks = [Tick(at=round(left + (i + 0.5) * slot, 1), label=text) for i, text in x_labels]
    return BarChart(id=id, title=title, description=description, width=width, height=height,
                    left=left, top=top, right=right, bottom=bottom, bars=bars,
                    y_ticks=y_ticks, x_ticks=x_ticks)


@dataclass(frozen=True)
class Segment:
    name: str
    value: int
    css: str


def stacked_bar(segments: Sequence[Segment], *, total: int | None = None,
                width: int = 1000) -> list[Rect]:
    """One horizontal bar split into segments, as rects along `width` (drawn stretched to
    the page's width: the figures are text beside it, never in it)."""
    total = max(total or 0, sum(s.value for s in segments))
    rects, x = [], 0.0
    for segment in segments:
        if total and segment.value:
            span = width * segment.value / total
            rects.append(Rect(x=round(x, 2), y=0, width=round(span, 2), height=1,
                              title=f"{segment.name}: {segment.value:,}", css=segment.css))
            x += span
    return rects


def every(count: int, *, at_most: int) -> int:
    """The stride that labels at most `at_most` of `count` positions."""
    return max(1, math.ceil(count / at_most))
