"""Inline SVG for the report: a stacked bar chart of events per day and a map of places.
Drawn here in Python so the report needs no script library and renders with scripts off."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

OTHER_COLOR = "#7f8c8d"
MAX_REFERENCE_CITIES = 25
REFERENCE_SPACING = 60  # pixels between orientation cities and anything else


@dataclass(frozen=True)
class DayCount:
    day: date
    event_type: str
    events: int


@dataclass(frozen=True)
class Place:
    name: str
    country: str
    latitude: float
    longitude: float
    events: int
    fatalities: int


@dataclass(frozen=True)
class Frame:
    """The drawing area inside the SVG's margins."""

    width: int
    height: int
    left: int = 44
    right: int = 12
    top: int = 12
    bottom: int = 30

    @property
    def inner_width(self) -> int:
        return self.width - self.left - self.right

    @property
    def inner_height(self) -> int:
        return self.height - self.top - self.bottom


def daily_bars_svg(
    counts: Sequence[DayCount], colors: dict[str, str], width: int = 900, height: int = 260
) -> str:
    """One bar per day, stacked by event type; every day of the span has a slot."""
    if not counts:
        return ""
    frame = Frame(width, height)
    first, last = min(c.day for c in counts), max(c.day for c in counts)
    days = [first + timedelta(n) for n in range((last - first).days + 1)]
    totals = {d: 0 for d in days}
    for c in counts:
        totals[c.day] += c.events
    top = _nice_ceiling(max(totals.values()))
    slot = frame.inner_width / len(days)
    parts = [_open_svg(width, height, "events-per-day", "Events per day by type")]
    parts += _y_axis(frame, top)
    parts += _bars(counts, days, colors, frame, slot, top)
    parts += _x_labels(days, frame, slot)
    parts.append("</svg>")
    return "\n".join(parts)


def _bars(
    counts: Sequence[DayCount],
    days: list[date],
    colors: dict[str, str],
    frame: Frame,
    slot: float,
    top: int,
) -> list[str]:
    order = {t: i for i, t in enumerate(colors)}
    stacked: dict[date, float] = dict.fromkeys(days, 0.0)
    parts = []
    for c in sorted(counts, key=lambda c: (c.day, order.get(c.event_type, 99), c.event_type)):
        if c.events <= 0:
            continue
        h = c.events / top * frame.inner_height
        y = frame.top + frame.inner_height - stacked[c.day] - h
        stacked[c.day] += h
        x = frame.left + (c.day - days[0]).days * slot + slot * 0.1
        color = colors.get(c.event_type, OTHER_COLOR)
        label = f"{c.day.isoformat()}: {c.events} × {c.event_type}"
        parts.append(
            f'<rect class="bar" data-day="{c.day.isoformat()}" data-type="{escape(c.event_type)}"'
            f' data-count="{c.events}" x="{x:.1f}" y="{y:.1f}" width="{max(slot * 0.8, 1):.1f}"'
            f' height="{h:.1f}" fill="{escape(color)}"><title>{escape(label)}</title></rect>'
        )
    return parts


def _y_axis(frame: Frame, top: int) -> list[str]:
    parts = []
    base = frame.top + frame.inner_height
    for tick in _ticks(top):
        y = base - tick / top * frame.inner_height
        parts.append(
            f'<line class="grid" x1="{frame.left}" x2="{frame.width - frame.right}"'
            f' y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text x="{frame.left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>'
        )
    parts.append(
        f'<line class="axis" x1="{frame.left}" x2="{frame.width - frame.right}"'
        f' y1="{base}" y2="{base}"/>'
    )
    return parts


def _x_labels(days: list[date], frame: Frame, slot: float) -> list[str]:
    step = max(1, math.ceil(len(days) / 10))
    y = frame.top + frame.inner_height + 16
    parts = []
    for i in range(0, len(days), step):
        x = frame.left + i * slot + slot / 2
        parts.append(
            f'<text class="x-label" x="{x:.1f}" y="{y}" text-anchor="middle">'
            f"{days[i].strftime('%d %b')}</text>"
        )
    return parts


def _ticks(top: int) -> list[int]:
    step = max(1, _nice_ceiling(top / 4))
    return list(range(0, top + 1, step))


def _nice_ceiling(value: float) -> int:
    """The smallest of 1, 2, 5 x 10^k that is at least value (so axis labels are round)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for factor in (1, 2, 5, 10):
        if factor * power >= value:
            return int(factor * power)
    return int(10 * power)


def places_map_svg(
    places: Sequence[Place],
    reference: Sequence[tuple[str, float, float]] = (),
    width: int = 900,
) -> str:
    """Places on an equirectangular projection, scaled by cos(latitude) so shapes are not
    stretched, over a graticule and grey reference cities for orientation."""
    if not places:
        return ""
    box = _bounding_box(places)
    west, east, south, north = box
    x_scale = math.cos(math.radians((south + north) / 2))
    aspect = (north - south) / max((east - west) * x_scale, 1e-6)
    height = int(min(max(width * aspect, 280), 640))
    frame = Frame(width, height, left=10, right=10, top=10, bottom=10)

    def project(lat: float, lon: float) -> tuple[float, float]:
        x = frame.left + (lon - west) / (east - west) * frame.inner_width
        y = frame.top + (north - lat) / (north - south) * frame.inner_height
        return x, y

    parts = [_open_svg(width, height, "places-map", "Map of event places")]
    parts += _graticule(box, project, frame)
    parts += _reference_cities(reference, box, project, places)
    parts += _place_marks(places, project)
    parts.append("</svg>")
    return "\n".join(parts)


def _bounding_box(places: Sequence[Place]) -> tuple[float, float, float, float]:
    lats = [p.latitude for p in places]
    lons = [p.longitude for p in places]
    pad_lat = max(1.0, (max(lats) - min(lats)) * 0.15)
    pad_lon = max(1.0, (max(lons) - min(lons)) * 0.15)
    return min(lons) - pad_lon, max(lons) + pad_lon, min(lats) - pad_lat, max(lats) + pad_lat


def _graticule(box, project, frame: Frame) -> list[str]:
    west, east, south, north = box
    step = next(s for s in (1, 2, 5, 10, 15, 30) if max(east - west, north - south) / s <= 8)
    parts = []
    for lon in range(math.ceil(west / step) * step, math.floor(east) + 1, step):
        (x, y1), (_, y2) = project(north, lon), project(south, lon)
        parts.append(
            f'<line class="graticule" x1="{x:.1f}" x2="{x:.1f}" y1="{y1:.1f}" y2="{y2:.1f}"/>'
            f'<text class="graticule-label" x="{x + 3:.1f}" y="{y2 - 3:.1f}">{lon}°</text>'
        )
    for lat in range(math.ceil(south / step) * step, math.floor(north) + 1, step):
        (x1, y), (x2, _) = project(lat, west), project(lat, east)
        parts.append(
            f'<line class="graticule" x1="{x1:.1f}" x2="{x2:.1f}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="graticule-label" x="{x1 + 3:.1f}" y="{y - 3:.1f}">{lat}°</text>'
        )
    return parts


def _reference_cities(reference, box, project, places: Sequence[Place]) -> list[str]:
    """The first cities of `reference` (give them largest first) that keep clear of the
    places and of each other, so the orientation never hides the data."""
    west, east, south, north = box
    taken = [project(p.latitude, p.longitude) for p in places]
    parts = []
    for name, lat, lon in reference:
        if len(parts) >= MAX_REFERENCE_CITIES:
            break
        if not (west <= lon <= east and south <= lat <= north):
            continue
        x, y = project(lat, lon)
        if any(math.hypot(x - tx, y - ty) < REFERENCE_SPACING for tx, ty in taken):
            continue
        taken.append((x, y))
        parts.append(
            f'<circle class="ref-city" cx="{x:.1f}" cy="{y:.1f}" r="2"/>'
            f'<text class="ref-city-label" x="{x + 4:.1f}" y="{y + 3:.1f}">{escape(name)}</text>'
        )
    return parts


def _place_marks(places: Sequence[Place], project) -> list[str]:
    parts = []
    for p in sorted(places, key=lambda p: -p.events):  # big circles first, small on top
        x, y = project(p.latitude, p.longitude)
        r = 4 + 3 * math.sqrt(p.events)
        label = f"{p.name} ({p.events})"
        tip = f"{p.name}, {p.country}: {p.events} events, {p.fatalities} killed"
        parts.append(
            f'<circle class="place" data-name="{escape(p.name)}" data-events="{p.events}"'
            f' cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}"><title>{escape(tip)}</title></circle>'
            f'<text class="place-label" x="{x + r + 3:.1f}" y="{y + 4:.1f}">{escape(label)}</text>'
        )
    return parts


def _open_svg(width: int, height: int, css_id: str, label: str) -> str:
    return (
        f'<svg id="{css_id}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}"'
        f' width="{width}" height="{height}" role="img" aria-label="{escape(label)}">'
    )
