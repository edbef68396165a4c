"""Pictures drawn on the server as inline SVG: the page needs nothing from outside.

Every label is escaped; colours are presentation attributes (no inline style),
and the chart carries a text alternative for screen readers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 16, 44
BAR = "#0b5394"
AXIS = "#4a4a4a"


def _step(value: int) -> int:
    """The gridline step: four equal whole-number steps reach at least `value`."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if step * 4 >= value:
            return step
    return (value // 4000 + 1) * 1000


def responses_per_day(
    days: list[tuple[date, int]],
    *,
    label_day: Callable[[date], str],
    title: str,
    summary: str = "%(title)s: %(total)s in the %(days)s days shown.",
) -> Markup:
    """A bar chart of people who started each day, with day labels under some bars."""
    step = _step(max((n for _, n in days), default=0))
    top = step * 4
    inner_w = WIDTH - LEFT - RIGHT
    inner_h = HEIGHT - TOP - BOTTOM
    slot = inner_w / max(len(days), 1)
    bar_w = max(slot * 0.7, 2)
    every = max(len(days) // 7, 1)
    total = sum(n for _, n in days)
    description = summary % {"title": title, "total": total, "days": len(days)}
    parts = [
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="chart-title chart-desc" '
        'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" font-size="13">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(description)}</desc>',
    ]
    for tick in range(0, 5):
        value = step * tick
        y = TOP + inner_h - inner_h * tick / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#d0d0d0" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{AXIS}">{value}</text>'
        )
    for index, (day, number) in enumerate(days):
        x = LEFT + slot * index + (slot - bar_w) / 2
        h = inner_h * number / top if top else 0
        y = TOP + inner_h - h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{BAR}">'
            f"<title>{escape(label_day(day))}: {number}</title></rect>"
        )
        if index % every == 0 or index == len(days) - 1:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle" '
                f'fill="{AXIS}">{escape(label_day(day))}</text>'
            )
    parts.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + inner_h}" y2="{TOP + inner_h}" '
        f'stroke="{AXIS}" stroke-width="1.5"/></svg>'
    )
    return Markup("".join(parts))  # noqa: S704 - every label above is escaped
