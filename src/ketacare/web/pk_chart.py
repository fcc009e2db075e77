"""Server-rendered SVG of predicted plasma concentrations (no JavaScript, prints as it shows).

``render_pk_svg`` draws: shaded display bands (labelled literature ranges, not targets), a
shaded 5-95 % population band, one line per PK model (the main one thicker) and an optional
vertical marker (the session page marks "now"). Axes: minutes and ng/mL. Every label is escaped.
``render_order_pk_svg`` draws an ``OrderPK`` prediction the same way.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from ketacare.core.dosing.pk import DEFAULT_BANDS, Band
from ketacare.services.orders.pk import OrderPK

LINE_COLOURS = ("#2458a6", "#b3261e", "#1a7f37", "#8250df", "#9a6700", "#0b7285")
BAND_FILLS = ("#f3f6f9", "#e9f2fb", "#e3f4e8", "#fff4d6", "#fde8e6")
SPREAD_FILL = "#2458a6"
NICE_STEPS = (1, 2, 2.5, 5, 10)
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 64, 16, 28, 44
LEGEND_ROW = 22


@dataclass(frozen=True, slots=True)
class Line:
    """One curve: a label (model name) and a value per time point."""

    label: str
    values: Sequence[float]
    main: bool = False


@dataclass(frozen=True, slots=True)
class Spread:
    """A shaded band between ``low`` and ``high`` (e.g. the 5th and 95th percentiles)."""

    label: str
    low: Sequence[float]
    high: Sequence[float]


def nice_step(span: float, max_ticks: int) -> float:
    """The smallest 1/2/2.5/5 x 10^n step giving at most ``max_ticks`` intervals over ``span``."""
    raw = max(span, 1e-9) / max_ticks
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in NICE_STEPS:
        if factor * power >= raw - 1e-12:
            return factor * power
    return 10 * power  # pragma: no cover - NICE_STEPS ends at 10


def _finite(values: Sequence[float]) -> list[float]:
    return [v for v in values if math.isfinite(v)]


def _y_top(lines: Sequence[Line], spread: Spread | None) -> float:
    values = [v for line in lines for v in _finite(line.values)]
    if spread is not None:
        values += _finite(spread.high)
    peak = max(values, default=0.0)
    step = nice_step(max(peak, 1.0) * 1.1, 6)
    return step * math.ceil(max(peak, 1.0) * 1.1 / step)


@dataclass(frozen=True, slots=True)
class _Frame:
    width: int
    height: int
    x_max: float
    y_max: float

    @property
    def plot_w(self) -> float:
        return self.width - MARGIN_LEFT - MARGIN_RIGHT

    @property
    def plot_h(self) -> float:
        return self.height - MARGIN_TOP - MARGIN_BOTTOM

    def x(self, minutes: float) -> float:
        return MARGIN_LEFT + self.plot_w * (minutes / self.x_max if self.x_max else 0.0)

    def y(self, value: float) -> float:
        clamped = min(max(value, 0.0), self.y_max) if math.isfinite(value) else 0.0
        return MARGIN_TOP + self.plot_h * (1 - clamped / self.y_max)


def _num(value: float) -> str:
    return f"{value:.1f}"


def _label(value: float) -> str:
    return f"{value:g}"


def _bands(frame: _Frame, bands: Sequence[Band]) -> list[str]:
    out = ['<g class="pk-bands">']
    for index, band in enumerate(bands):
        if band.lower >= frame.y_max:
            continue
        top, bottom = frame.y(min(band.upper, frame.y_max)), frame.y(band.lower)
        fill = BAND_FILLS[index % len(BAND_FILLS)]
        upper = "+" if math.isinf(band.upper) else f"-{_label(band.upper)}"
        out.append(
            f'<rect class="pk-band" x="{MARGIN_LEFT}" y="{_num(top)}" '
            f'width="{_num(frame.plot_w)}" height="{_num(bottom - top)}" fill="{fill}">'
            f"<title>{escape(band.label)} ({_label(band.lower)}{upper} ng/mL)</title></rect>"
        )
        if bottom - top >= 14:
            out.append(
                f'<text class="pk-band-label" x="{_num(frame.x(frame.x_max) - 4)}" '
                f'y="{_num(top + 12)}" text-anchor="end" font-size="11" fill="#5b6b7c">'
                f"{escape(band.label)}</text>"
            )
    out.append("</g>")
    return out


def _axes(frame: _Frame) -> list[str]:
    out = ['<g class="pk-axes" font-size="12" fill="#1d2733">']
    x_step = nice_step(frame.x_max, 10)
    tick = 0.0
    while tick <= frame.x_max + 1e-9:
        x = _num(frame.x(tick))
        bottom = _num(frame.y(0))
        out.append(
            f'<line x1="{x}" x2="{x}" y1="{bottom}" y2="{_num(frame.y(0) + 5)}" stroke="#5b6b7c"/>'
        )
        out.append(
            f'<text x="{x}" y="{_num(frame.y(0) + 18)}" text-anchor="middle">{_label(tick)}</text>'
        )
        tick += x_step
    y_step = nice_step(frame.y_max, 6)
    tick = 0.0
    while tick <= frame.y_max + 1e-9:
        y = _num(frame.y(tick))
        out.append(
            f'<line x1="{MARGIN_LEFT}" x2="{_num(MARGIN_LEFT + frame.plot_w)}" y1="{y}" y2="{y}" '
            'stroke="#d5dde6" stroke-width="0.5"/>'
        )
        out.append(
            f'<text x="{MARGIN_LEFT - 6}" y="{y}" dy="4" text-anchor="end">{_label(tick)}</text>'
        )
        tick += y_step
    out.append(
        f'<text x="{_num(MARGIN_LEFT + frame.plot_w / 2)}" y="{frame.height - 6}" '
        'text-anchor="middle">Time (min)</text>'
    )
    out.append(
        f'<text x="14" y="{_num(MARGIN_TOP + frame.plot_h / 2)}" text-anchor="middle" '
        f'transform="rotate(-90 14 {_num(MARGIN_TOP + frame.plot_h / 2)})">ng/mL</text>'
    )
    out.append(
        f'<rect x="{MARGIN_LEFT}" y="{MARGIN_TOP}" width="{_num(frame.plot_w)}" '
        f'height="{_num(frame.plot_h)}" fill="none" stroke="#5b6b7c"/>'
    )
    out.append("</g>")
    return out


def _spread(frame: _Frame, times: Sequence[float], spread: Spread) -> str:
    upper = [
        f"{_num(frame.x(t))},{_num(frame.y(v))}" for t, v in zip(times, spread.high, strict=True)
    ]
    lower = [
        f"{_num(frame.x(t))},{_num(frame.y(v))}" for t, v in zip(times, spread.low, strict=True)
    ]
    points = " ".join(upper + lower[::-1])
    return (
        f'<polygon class="pk-spread" points="{points}" fill="{SPREAD_FILL}" fill-opacity="0.18" '
        f'stroke="none"><title>{escape(spread.label)}</title></polygon>'
    )


def _line(frame: _Frame, times: Sequence[float], line: Line, colour: str) -> str:
    points = " ".join(
        f"{_num(frame.x(t))},{_num(frame.y(v))}" for t, v in zip(times, line.values, strict=True)
    )
    width = "3" if line.main else "1.6"
    dash = "" if line.main else ' stroke-dasharray="6 3"'
    return (
        f'<polyline class="pk-line" data-model="{escape(line.label)}" points="{points}" '
        f'fill="none" stroke="{colour}" stroke-width="{width}"{dash}>'
        f"<title>{escape(line.label)}</title></polyline>"
    )


def _legend(frame: _Frame, lines: Sequence[Line], spread: Spread | None) -> list[str]:
    out = [
        f'<g class="pk-legend" font-size="12" transform="translate({MARGIN_LEFT},{frame.height})">'
    ]
    entries: list[tuple[str, str]] = [
        (LINE_COLOURS[i % len(LINE_COLOURS)], line.label + (" (main)" if line.main else ""))
        for i, line in enumerate(lines)
    ]
    for row, (colour, text) in enumerate(entries):
        y = row * LEGEND_ROW + 14
        out.append(f'<line x1="0" x2="24" y1="{y}" y2="{y}" stroke="{colour}" stroke-width="3"/>')
        out.append(f'<text x="32" y="{y + 4}">{escape(text)}</text>')
    if spread is not None:
        y = len(entries) * LEGEND_ROW + 6
        out.append(
            f'<rect x="0" y="{y}" width="24" height="14" fill="{SPREAD_FILL}" fill-opacity="0.18"/>'
        )
        out.append(f'<text x="32" y="{y + 12}">{escape(spread.label)}</text>')
    out.append("</g>")
    return out


def render_pk_svg(
    times_min: Sequence[float],
    lines: Sequence[Line],
    *,
    spread: Spread | None = None,
    bands: Sequence[Band] = DEFAULT_BANDS,
    marker_min: float | None = None,
    marker_label: str = "now",
    title: str = "Predicted plasma concentration",
    width: int = 720,
    height: int = 340,
) -> Markup:
    """An accessible inline SVG chart of concentration (ng/mL) against time (min).

    Raises:
        ValueError: no time points, or a curve whose length differs from ``times_min``.
    """
    if not times_min:
        msg = "a PK chart needs at least one time point"
        raise ValueError(msg)
    series = [line.values for line in lines]
    if spread is not None:
        series += [spread.low, spread.high]
    if any(len(values) != len(times_min) for values in series):
        msg = "every curve needs one value per time point"
        raise ValueError(msg)
    frame = _Frame(width, height, max(float(times_min[-1]), 1.0), _y_top(lines, spread))
    legend_rows = len(lines) + (1 if spread is not None else 0)
    total_height = height + legend_rows * LEGEND_ROW + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="pk-chart" role="img" '
        f'viewBox="0 0 {width} {total_height}" width="100%" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="{MARGIN_LEFT}" y="18" font-size="14" font-weight="600">{escape(title)}</text>',
        *_bands(frame, bands),
        *_axes(frame),
    ]
    if spread is not None:
        parts.append(_spread(frame, times_min, spread))
    for index, line in enumerate(lines):
        parts.append(_line(frame, times_min, line, LINE_COLOURS[index % len(LINE_COLOURS)]))
    if marker_min is not None and 0 <= marker_min <= frame.x_max:
        x = _num(frame.x(marker_min))
        parts.append(
            f'<g class="pk-marker"><line x1="{x}" x2="{x}" y1="{MARGIN_TOP}" '
            f'y2="{_num(frame.y(0))}" stroke="#1d2733" stroke-width="1.5"/>'
            f'<text x="{x}" y="{MARGIN_TOP - 4}" font-size="11" text-anchor="middle">'
            f"{escape(marker_label)}</text></g>"
        )
    parts += _legend(frame, lines, spread)
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every interpolated label is escaped above


def render_order_pk_svg(pk: OrderPK, *, marker_min: float | None = None) -> Markup:
    """The chart for an order's prediction: every model's median curve and the 5-95 % band."""
    lines = [
        Line(model.name, model.concentrations, main=model.model_id == pk.main_model)
        for model in pk.models
    ]
    spread = None
    if pk.population is not None:
        name = next((m.name for m in pk.models if m.model_id == pk.population.model_id), "")
        spread = Spread(
            f"5-95 % of {pk.population.subjects} virtual patients ({name})",
            pk.population.p5,
            pk.population.p95,
        )
    return render_pk_svg(
        pk.times_min,
        lines,
        spread=spread,
        bands=pk.bands,
        marker_min=marker_min,
        title=f"Predicted plasma {pk.analyte} (ng/mL)",
    )
