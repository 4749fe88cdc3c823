"""Chart geometry (drawn as SVG by templates)."""

from __future__ import annotations

import pytest

from staff import charts


@pytest.mark.parametrize(("value", "top", "step"), [
    (0, 4, 1), (1, 1, 1), (3, 3, 1), (4, 4, 1), (5, 6, 2), (9, 10, 5), (17, 20, 5),
    (40, 40, 10), (41, 60, 20), (999, 1000, 500), (1234, 1500, 500),
])
def test_nice_ceiling(value, top, step):
    assert charts.nice_ceiling(value) == (top, step)
    assert top >= value and top // step <= 4


def test_bars_stand_on_the_baseline_and_the_tallest_fits():
    chart = charts.bar_chart(id="c", title="t", description="d", values=[0, 5, 10, 3],
                             bar_titles=["a", "b", "c", "d"], x_labels=[(0, "first")])
    assert len(chart.bars) == 3  # no bar for a zero
    for bar in chart.bars:
        assert bar.y + bar.height == pytest.approx(chart.bottom, abs=0.15)
        assert chart.left <= bar.x and bar.x + bar.width <= chart.right
    tallest = max(chart.bars, key=lambda b: b.height)
    assert tallest.title == "c" and tallest.y >= chart.top
    assert [t.label for t in chart.y_ticks] == ["0", "5", "10"]
    assert chart.x_ticks[0].label == "first"


def test_a_stacked_bar_splits_its_width_by_value():
    rects = charts.stacked_bar([charts.Segment("Sold", 30, "sold"),
                                charts.Segment("Held", 0, "held"),
                                charts.Segment("Free", 70, "free")], total=100)
    assert [(r.css, r.x, r.width, r.title) for r in rects] == [
        ("sold", 0, 300, "Sold: 30"), ("free", 300, 700, "Free: 70")]
    assert charts.stacked_bar([charts.Segment("Sold", 0, "sold")], total=0) == []


def test_every():
    assert [charts.every(n, at_most=7) for n in (1, 7, 8, 30)] == [1, 1, 2, 5]
