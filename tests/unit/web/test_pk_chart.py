"""The PK SVG chart: well-formed, axes in minutes and ng/mL, bands, lines, spread, escaping."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from ketacare.core.dosing.pk import DEFAULT_BANDS
from ketacare.services.orders.pk import ModelCurve, OrderPK, PopulationBand
from ketacare.web.pk_chart import Line, Spread, nice_step, render_order_pk_svg, render_pk_svg

SVG = "{http://www.w3.org/2000/svg}"
TIMES = [0.0, 10.0, 20.0, 30.0, 40.0, 60.0, 120.0]
MAIN = [0.0, 80.0, 140.0, 190.0, 240.0, 150.0, 60.0]
OTHER = [0.0, 60.0, 110.0, 150.0, 180.0, 120.0, 50.0]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, parsed to prove it is well-formed


def by_class(root: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    return [e for e in root.iter(f"{SVG}{tag}") if e.get("class") == cls]


def points(element: ET.Element) -> list[tuple[float, float]]:
    pairs = (p.split(",") for p in (element.get("points") or "").split())
    return [(float(x), float(y)) for x, y in pairs]


def render(**kwargs: Any) -> ET.Element:
    lines = [Line("Domino", MAIN, main=True), Line("Clements", OTHER)]
    return parse(str(render_pk_svg(TIMES, lines, **kwargs)))


def test_one_line_per_model_with_the_main_one_thicker() -> None:
    root = render()
    lines = by_class(root, "polyline", "pk-line")
    assert [line.get("data-model") for line in lines] == ["Domino", "Clements"]
    assert [line.get("stroke-width") for line in lines] == ["3", "1.6"]
    assert all(len(points(line)) == len(TIMES) for line in lines)


def test_higher_concentration_is_drawn_higher_and_time_runs_right() -> None:
    main = points(by_class(render(), "polyline", "pk-line")[0])
    xs = [x for x, _ in main]
    assert xs == sorted(xs)
    peak = MAIN.index(max(MAIN))
    # SVG y grows downwards: the peak has the smallest y, zero the largest.
    assert main[peak][1] == min(y for _, y in main)
    assert main[0][1] == max(y for _, y in main)


def test_axes_are_labelled_in_minutes_and_ng_per_ml() -> None:
    root = render()
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert "Time (min)" in texts
    assert "ng/mL" in texts
    assert "0" in texts
    assert "120" in texts  # the last time point is a tick
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title") is not None


def test_display_bands_are_shaded_up_to_the_axis_top() -> None:
    root = render()
    bands = by_class(root, "rect", "pk-band")
    # A 240 ng/mL peak gives a 300 ng/mL axis: the 700+ band is not drawn, 250-700 is clipped.
    titles = [b.findtext(f"{SVG}title") or "" for b in bands]
    assert len(bands) == 4
    assert not any("anaesthetic" in t for t in titles)
    assert titles[0].startswith("minimal (0-50 ng/mL)")
    assert "100-250" in titles[2]
    heights = [float(b.get("height") or 0) for b in bands]
    assert all(h > 0 for h in heights)
    # 100-250 is 150 ng/mL tall, the clipped 250-300 only 50.
    assert heights[3] == pytest.approx(heights[2] / 3, abs=0.2)


def test_high_curves_show_every_band() -> None:
    lines = [Line("High", [0.0, 900.0, 800.0, 700.0, 600.0, 400.0, 100.0], main=True)]
    root = parse(str(render_pk_svg(TIMES, lines)))
    assert len(by_class(root, "rect", "pk-band")) == len(DEFAULT_BANDS)


def test_population_spread_is_a_closed_polygon_between_low_and_high() -> None:
    low = [v * 0.6 for v in MAIN]
    high = [v * 1.5 for v in MAIN]
    root = render(spread=Spread("5-95 % of 500 virtual patients", low, high))
    (polygon,) = by_class(root, "polygon", "pk-spread")
    assert len(points(polygon)) == 2 * len(TIMES)
    legend = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert "5-95 % of 500 virtual patients" in legend


def test_marker_and_escaping() -> None:
    lines = [Line("<script>alert(1)</script>", MAIN, main=True)]
    svg = str(render_pk_svg(TIMES, lines, marker_min=30, marker_label="now & then"))
    assert "<script>" not in svg
    root = parse(svg)
    (marker,) = [g for g in root.iter(f"{SVG}g") if g.get("class") == "pk-marker"]
    assert marker.findtext(f"{SVG}text") == "now & then"


def test_marker_outside_the_time_axis_is_not_drawn() -> None:
    svg = str(render_pk_svg(TIMES, [Line("A", MAIN)], marker_min=500))
    assert "pk-marker" not in svg


@pytest.mark.parametrize(
    ("times", "lines"),
    [([], []), (TIMES, [Line("short", [1.0, 2.0])])],
)
def test_bad_series_are_refused(times: list[float], lines: list[Line]) -> None:
    with pytest.raises(ValueError, match="time point"):
        render_pk_svg(times, lines)


def test_non_finite_values_do_not_break_the_drawing() -> None:
    values = [0.0, float("nan"), 10.0, float("inf"), 5.0, 1.0, 0.0]
    svg = str(render_pk_svg(TIMES, [Line("odd", values)]))
    assert "nan" not in svg
    assert "inf" not in svg
    parse(svg)


@pytest.mark.parametrize(
    ("span", "ticks", "step"),
    [(280, 10, 50), (100, 6, 20), (1, 6, 0.2), (243, 6, 50), (1000, 10, 100)],
)
def test_nice_steps(span: float, ticks: int, step: float) -> None:
    assert nice_step(span, ticks) == pytest.approx(step)


def test_order_prediction_chart() -> None:
    def curve(model_id: str, values: list[float]) -> ModelCurve:
        return ModelCurve(
            model_id, model_id.title(), False, tuple(values), max(values), 40, (), "s"
        )

    pk = OrderPK(
        order_id=1,
        analyte="ketamine",
        weight_kg=70,
        times_min=tuple(TIMES),
        main_model="domino",
        models=(curve("domino", MAIN), curve("herd2007", OTHER)),
        population=PopulationBand(
            "herd2007",
            500,
            1,
            tuple(v * 0.5 for v in OTHER),
            tuple(OTHER),
            tuple(v * 2 for v in OTHER),
            {"p5": 1.0, "p50": 2.0, "p95": 3.0},
            None,
        ),
        bands=DEFAULT_BANDS,
        notes=(),
    )
    svg = str(render_order_pk_svg(pk))
    root = parse(svg)
    assert [e.get("data-model") for e in by_class(root, "polyline", "pk-line")] == [
        "Domino",
        "Herd2007",
    ]
    assert len(by_class(root, "polygon", "pk-spread")) == 1
    assert re.search(r"5-95 % of 500 virtual patients \(Herd2007\)", svg)
    assert "Predicted plasma ketamine (ng/mL)" in svg
