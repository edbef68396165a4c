"""A per-sender limit on inbound messages, so a flood from one address cannot starve others.

Each process keeps a sliding window per (channel, address hash): more than
`limit` messages in `window` seconds from one sender are refused before they
touch the database (the webhook answers 429 with Retry-After). Real people do
not type 30 messages a minute; a script or a looping phone does. With N app
processes the effective limit is up to N times higher, which still protects the
database from one sender.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

DEFAULT_LIMIT = 30
DEFAULT_WINDOW = 60.0
MAX_TRACKED = 50_000
"""Forget the oldest senders beyond this many, so memory stays bounded under attack."""


class TooManyMessagesError(Exception):
    """This sender sent more than the limit; try again after `retry_after` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"too many messages; retry after {retry_after:.0f} s")
        self.retry_after = retry_after


@dataclass
class SenderLimiter:
    limit: int = DEFAULT_LIMIT
    window: float = DEFAULT_WINDOW
    clock: Callable[[], float] = time.monotonic
    _seen: dict[str, deque[float]] = field(default_factory=dict)

    def check(self, sender: str) -> None:
        """Count one message from `sender`, or raise TooManyMessagesError."""
        now = self.clock()
        times = self._seen.pop(sender, None) or deque()
        while times and now - times[0] >= self.window:
            times.popleft()
        self._seen[sender] = times  # re-inserted: most recently seen last
        if len(times) >= self.limit:
            raise TooManyMessagesError(self.window - (now - times[0]))
        times.append(now)
        if len(self._seen) > MAX_TRACKED:
            del self._seen[next(iter(self._seen))]
