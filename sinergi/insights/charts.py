"""Charts as inline SVG, drawn on the server: no chart library, no script, no CDN.

Each chart scales to its container's width (a `viewBox` and no fixed size), so it reads on a
360 px phone as on a desktop. Colours come from SVG attributes (the CSP forbids inline
styles); every chart carries a <title> and a text alternative for screen readers.
"""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from sinergi.core.formatting import format_rupiah

INK = "#212529"
MUTED = "#6c757d"
GRID = "#dee2e6"
BLUE = "#0b5394"
ORANGE = "#e07b00"
GREEN = "#198754"
RED = "#b02a37"


def _compact(value: float) -> str:
    """Short axis labels: 1,2 M, 750 rb (Indonesian abbreviations of juta and ribu)."""
    size = abs(value)
    if size >= 1_000_000_000:
        return f"{value / 1_000_000_000:.1f} M".replace(".", ",")
    if size >= 1_000_000:
        return f"{value / 1_000_000:.1f} jt".replace(".", ",")
    if size >= 1_000:
        return f"{value / 1_000:.0f} rb"
    return f"{value:.0f}"


def _svg(width: int, height: int, title: str, body: list[str]) -> SafeString:
    return mark_safe(  # noqa: S308 - every text below is escaped
        f'<svg class="sn-chart w-100 h-auto d-block" viewBox="0 0 {width} {height}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _grid(*, left: int, width: int, top: int, height: float, low: float, high: float):
    """Five horizontal grid lines from `low` to `high`, labelled on the left."""
    span = (high - low) or 1
    for step in range(5):
        value = low + span * step / 4
        y = top + (high - value) / span * height
        yield (
            f'<line x1="{left}" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}" '
            f'stroke-width="0.5"/><text x="{left - 3}" y="{y + 3:.1f}" font-size="8" '
            f'text-anchor="end" fill="{MUTED}">{escape(_compact(value))}</text>'
        )


def _legend(series, *, left: int):
    """A colour key per series along the top."""
    for number, (name, color, _data) in enumerate(series):
        x = left + number * 100
        yield (
            f'<rect x="{x}" y="4" width="10" height="10" fill="{color}"/>'
            f'<text x="{x + 14}" y="13" font-size="9" fill="{INK}">{escape(name)}</text>'
        )


def horizontal_bars(
    items: list[tuple[str, int]], *, title: str, money: bool = False, color: str = BLUE
) -> SafeString:
    """Bars one under another, label above each bar: long labels never squeeze the bars."""
    width, bar, gap = 320, 12, 26
    height = max(len(items), 1) * gap + 8
    top = max((value for _label, value in items), default=0) or 1
    body = []
    for index, (label, value) in enumerate(items):
        y = index * gap + 4
        length = max(value, 0) / top * (width - 90)
        shown = format_rupiah(value) if money else f"{value:,}".replace(",", ".")
        body.append(
            f'<text x="0" y="{y + 8}" font-size="9" fill="{INK}">{escape(label[:48])}</text>'
            f'<rect x="0" y="{y + 11}" width="{length:.1f}" height="{bar}" rx="2" '
            f'fill="{color}"/>'
            f'<text x="{length + 4:.1f}" y="{y + 21}" font-size="9" fill="{MUTED}">'
            f"{escape(shown)}</text>"
        )
    if not items:
        body.append(f'<text x="0" y="16" font-size="10" fill="{MUTED}">—</text>')
    return _svg(width, height, title, body)


def grouped_bars(
    labels: list[str],
    series: list[tuple[str, str, list[int]]],
    *,
    title: str,
) -> SafeString:
    """Vertical bars per label, one per series (name, colour, values); negatives go below
    the zero line. A legend sits on top."""
    width, height, left, bottom, top_pad = 320, 180, 44, 30, 22
    values = [value for _name, _color, data in series for value in data] or [0]
    high, low = max(max(values), 0), min(min(values), 0)
    span = (high - low) or 1
    plot_h = height - bottom - top_pad
    zero_y = top_pad + high / span * plot_h
    slot = (width - left) / max(len(labels), 1)
    bar_w = max(min(slot * 0.8 / max(len(series), 1), 18), 1.5)
    body = []
    body.extend(_grid(left=left, width=width, top=top_pad, height=plot_h, low=low, high=high))
    for index, label in enumerate(labels):
        x0 = left + index * slot + (slot - bar_w * len(series)) / 2
        for number, (_name, color, data) in enumerate(series):
            value = data[index]
            y = top_pad + (high - max(value, 0)) / span * plot_h
            h = abs(value) / span * plot_h
            body.append(
                f'<rect x="{x0 + number * bar_w:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
                f'height="{max(h, 0.5):.1f}" fill="{color}"><title>{escape(label)}: '
                f"{escape(format_rupiah(value))}</title></rect>"
            )
        if len(labels) <= 12:
            body.append(
                f'<text x="{left + index * slot + slot / 2:.1f}" y="{height - bottom + 12}" '
                f'font-size="8" text-anchor="middle" fill="{INK}">{escape(label[:12])}</text>'
            )
    body.append(
        f'<line x1="{left}" x2="{width}" y1="{zero_y:.1f}" y2="{zero_y:.1f}" stroke="{INK}" '
        f'stroke-width="0.8"/>'
    )
    body.extend(_legend(series, left=left))
    return _svg(width, height, title, body)


def line_chart(
    labels: list[str], series: list[tuple[str, str, list[int]]], *, title: str
) -> SafeString:
    """Lines over labels (months), one per series, with points and a legend."""
    width, height, left, bottom, top_pad = 320, 170, 44, 24, 22
    values = [value for _name, _color, data in series for value in data] or [0]
    high, low = max(max(values), 0), min(min(values), 0)
    span = (high - low) or 1
    plot_h = height - bottom - top_pad
    step_x = (width - left - 8) / max(len(labels) - 1, 1)
    body = []
    body.extend(_grid(left=left, width=width, top=top_pad, height=plot_h, low=low, high=high))
    for index, label in enumerate(labels):
        body.append(
            f'<text x="{left + index * step_x:.1f}" y="{height - 8}" font-size="8" '
            f'text-anchor="middle" fill="{INK}">{escape(label)}</text>'
        )
    for _name, color, data in series:
        points = [
            (left + index * step_x, top_pad + (high - value) / span * plot_h)
            for index, value in enumerate(data)
        ]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="1.6"/>')
        body.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2" fill="{color}"/>' for x, y in points)
    body.extend(_legend(series, left=left))
    return _svg(width, height, title, body)
