"""Server-rendered SVG charts: they work without JavaScript, in print and in PDF reports.

Pure drawing: the numbers to draw (scores, band edges, response and remission lines) come from
the caller, which takes them from the core; nothing here knows a clinical threshold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from markupsafe import Markup, escape

WIDTH = 720
HEIGHT = 280
PAD_LEFT = 48
PAD_RIGHT = 140
PAD_TOP = 24
PAD_BOTTOM = 40
# Light fills from calm to alarming, so a band's colour reads at a glance on a tablet.
BAND_FILLS = ("#e6f4ea", "#f3f8d9", "#fff4d6", "#fde4cf", "#fbd3d0", "#f6c1c1")


@dataclass(frozen=True, slots=True)
class ChartPoint:
    at: datetime
    value: float
    label: str = ""


@dataclass(frozen=True, slots=True)
class ChartBand:
    name: str
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class ChartLine:
    label: str
    value: float
    kind: str  # "response" or "remission": a CSS hook


@dataclass(frozen=True, slots=True)
class ChartMarker:
    at: datetime
    label: str


@dataclass(frozen=True, slots=True)
class _Frame:
    t0: datetime
    t1: datetime
    y0: float
    y1: float

    def x(self, at: datetime) -> float:
        span = (self.t1 - self.t0).total_seconds()
        frac = (at - self.t0).total_seconds() / span
        return round(PAD_LEFT + frac * (WIDTH - PAD_LEFT - PAD_RIGHT), 1)

    def y(self, value: float) -> float:
        frac = (value - self.y0) / (self.y1 - self.y0)
        return round(HEIGHT - PAD_BOTTOM - frac * (HEIGHT - PAD_TOP - PAD_BOTTOM), 1)


def _frame(
    points: Sequence[ChartPoint],
    markers: Sequence[ChartMarker],
    y_range: tuple[float, float] | None,
) -> _Frame:
    times = [p.at for p in points] + [m.at for m in markers]
    t0, t1 = min(times), max(times)
    if t1 - t0 < timedelta(days=1):
        t0, t1 = t0 - timedelta(hours=12), t1 + timedelta(hours=12)
    pad = (t1 - t0) * 0.04
    if y_range is None:
        values = [p.value for p in points]
        y_range = (min(0.0, *values), max(values) or 1.0)
    y0, y1 = y_range
    if y1 <= y0:
        y1 = y0 + 1
    return _Frame(t0 - pad, t1 + pad, y0, y1)


def trajectory_svg(
    *,
    title: str,
    points: Sequence[ChartPoint],
    y_range: tuple[float, float] | None = None,
    bands: Sequence[ChartBand] = (),
    markers: Sequence[ChartMarker] = (),
    lines: Sequence[ChartLine] = (),
) -> Markup:
    """An SVG line chart of scores over time, with shaded bands, event marks and cut lines.

    Returns an empty Markup when there is nothing to draw.
    """
    if not points:
        return Markup("")
    frame = _frame(points, markers, y_range)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="trajectory" role="img" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        *_bands(frame, bands),
        *_axes(frame),
        *_markers(frame, markers),
        *_lines(frame, lines),
        *_series(frame, points),
        "</svg>",
    ]
    return Markup("\n".join(parts))  # noqa: S704 - every interpolated text is escaped


def _bands(frame: _Frame, bands: Sequence[ChartBand]) -> list[str]:
    out = []
    right = WIDTH - PAD_RIGHT
    for index, band in enumerate(bands):
        top = frame.y(min(band.high, frame.y1))
        bottom = frame.y(max(band.low, frame.y0))
        fill = BAND_FILLS[min(index, len(BAND_FILLS) - 1)]
        out.append(
            f'<rect class="band" data-band="{escape(band.name)}" x="{PAD_LEFT}" y="{top}" '
            f'width="{right - PAD_LEFT}" height="{round(bottom - top, 1)}" fill="{fill}">'
            f"<title>{escape(band.name)}: {band.low:g}-{band.high:g}</title></rect>"
        )
        out.append(
            f'<text class="band-label" x="{right + 6}" y="{round((top + bottom) / 2 + 4, 1)}" '
            f'font-size="11" fill="#5b6b7c">{escape(band.name)}</text>'
        )
    return out


def _axes(frame: _Frame) -> list[str]:
    left, right, bottom = PAD_LEFT, WIDTH - PAD_RIGHT, HEIGHT - PAD_BOTTOM
    stroke = 'stroke="#5b6b7c"'
    out = [
        f'<line class="axis" x1="{left}" y1="{PAD_TOP}" x2="{left}" y2="{bottom}" {stroke}/>',
        f'<line class="axis" x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" {stroke}/>',
    ]
    out.extend(
        f'<text x="{left - 6}" y="{frame.y(value) + 4}" font-size="11" text-anchor="end" '
        f'fill="#5b6b7c">{value:g}</text>'
        for value in (frame.y0, (frame.y0 + frame.y1) / 2, frame.y1)
    )
    out.extend(
        f'<text x="{frame.x(at)}" y="{bottom + 16}" font-size="11" text-anchor="{anchor}" '
        f'fill="#5b6b7c">{at.date().isoformat()}</text>'
        for at, anchor in ((frame.t0, "start"), (frame.t1, "end"))
    )
    return out


def _markers(frame: _Frame, markers: Sequence[ChartMarker]) -> list[str]:
    bottom = HEIGHT - PAD_BOTTOM
    out = []
    for marker in markers:
        x = frame.x(marker.at)
        out.append(
            f'<g class="treatment"><line x1="{x}" y1="{PAD_TOP}" x2="{x}" y2="{bottom}" '
            f'stroke="#2458a6" stroke-dasharray="2 3"/>'
            f'<path d="M{x - 5} {bottom + 8} L{x + 5} {bottom + 8} L{x} {bottom} Z" '
            f'fill="#2458a6"/>'
            f"<title>{escape(marker.label)} {marker.at.isoformat()}</title></g>"
        )
    return out


def _lines(frame: _Frame, lines: Sequence[ChartLine]) -> list[str]:
    out = []
    right = WIDTH - PAD_RIGHT
    for line in lines:
        if not frame.y0 <= line.value <= frame.y1:
            continue
        y = frame.y(line.value)
        out.append(
            f'<g class="cut {escape(line.kind)}"><line x1="{PAD_LEFT}" y1="{y}" x2="{right}" '
            f'y2="{y}" stroke="#1d2733" stroke-dasharray="6 4"/>'
            f'<text x="{PAD_LEFT + 4}" y="{y - 4}" font-size="11" fill="#1d2733">'
            f"{escape(line.label)}</text></g>"
        )
    return out


def _series(frame: _Frame, points: Sequence[ChartPoint]) -> list[str]:
    ordered = sorted(points, key=lambda p: p.at)
    coords = " ".join(f"{frame.x(p.at)},{frame.y(p.value)}" for p in ordered)
    style = 'fill="none" stroke="#2458a6" stroke-width="2"'
    out = [f'<polyline class="series" points="{coords}" {style}/>']
    out.extend(
        f'<circle class="point" cx="{frame.x(p.at)}" cy="{frame.y(p.value)}" r="5" '
        f'fill="#2458a6"><title>{p.at.date().isoformat()}: {p.value:g}'
        f"{' ' + str(escape(p.label)) if p.label else ''}</title></circle>"
        for p in ordered
    )
    return out
