"""The programme's clock on the wall: dates and times are shown and counted in UK time.

One place, so the progress counts by day and the pages' dates agree on when a day starts.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def _zone() -> ZoneInfo | None:
    try:
        return ZoneInfo("Europe/London")
    except ZoneInfoNotFoundError:  # pragma: no cover - a machine without tzdata
        return None


LONDON = _zone()
"""Europe/London, or None on a machine without time-zone data (dates then stay in UTC)."""
