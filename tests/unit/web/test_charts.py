"""The SVG trajectory chart: bands, points, treatment marks, cut lines, escaping."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

from ketacare.web.charts import ChartBand, ChartLine, ChartMarker, ChartPoint, trajectory_svg

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
NS = {"svg": "http://www.w3.org/2000/svg"}


def _chart() -> str:
    return str(
        trajectory_svg(
            title="PHQ-9 <trajectory>",
            points=[
                ChartPoint(T0, 18, "moderately_severe"),
                ChartPoint(T0 + timedelta(days=7), 8, "mild"),
                ChartPoint(T0 + timedelta(days=14), 3, "none_minimal"),
            ],
            y_range=(0, 27),
            bands=[
                ChartBand("None/minimal", 0, 5),
                ChartBand("Mild", 5, 10),
                ChartBand("Moderate", 10, 15),
                ChartBand("Moderately severe", 15, 20),
                ChartBand("Severe", 20, 27),
            ],
            markers=[ChartMarker(T0 + timedelta(hours=2), "ketamine_session")],
            lines=[ChartLine("Response", 9, "response"), ChartLine("Remission", 5, "remission")],
        )
    )


def test_svg_is_well_formed_with_bands_points_marks_and_lines() -> None:
    svg = _chart()
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    bands = root.findall("svg:rect[@class='band']", NS)
    assert [b.get("data-band") for b in bands] == [
        "None/minimal",
        "Mild",
        "Moderate",
        "Moderately severe",
        "Severe",
    ]
    assert len(root.findall("svg:circle[@class='point']", NS)) == 3
    assert len(root.findall("svg:g[@class='treatment']", NS)) == 1
    assert {g.get("class") for g in root.findall("svg:g", NS)} >= {"cut response", "cut remission"}
    assert "&lt;trajectory&gt;" in svg


def test_higher_scores_are_drawn_higher_and_time_runs_left_to_right() -> None:
    root = ET.fromstring(_chart())  # noqa: S314
    circles = root.findall("svg:circle[@class='point']", NS)
    xs = [float(c.get("cx", "0")) for c in circles]
    ys = [float(c.get("cy", "0")) for c in circles]
    assert xs == sorted(xs)
    assert ys == sorted(ys)  # 18 > 8 > 3: SVG y grows downwards


def test_bands_stack_without_gaps() -> None:
    root = ET.fromstring(_chart())  # noqa: S314
    rects = root.findall("svg:rect[@class='band']", NS)
    spans = [(float(r.get("y", "0")), float(r.get("height", "0"))) for r in rects]
    for (y_low, _), (y_high, h_high) in itertools.pairwise(spans):
        assert abs((y_high + h_high) - y_low) < 0.2


def test_single_point_and_no_points() -> None:
    assert str(trajectory_svg(title="x", points=[])) == ""
    one = str(trajectory_svg(title="x", points=[ChartPoint(T0, 4)]))
    assert len(re.findall(r'class="point"', one)) == 1
    assert "nan" not in one.lower()


def test_a_line_outside_the_range_is_not_drawn() -> None:
    svg = str(
        trajectory_svg(
            title="x",
            points=[ChartPoint(T0, 4), ChartPoint(T0 + timedelta(days=1), 6)],
            y_range=(0, 10),
            lines=[ChartLine("far", 50, "response")],
        )
    )
    assert "far" not in svg
