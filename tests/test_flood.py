"""The per-sender sliding window."""

from __future__ import annotations

import pytest

from collection.flood import SenderLimiter, TooManyMessagesError


def test_window_slides_and_senders_are_separate() -> None:
    """The limit counts the last `window` seconds only, per sender."""
    now = [0.0]
    limiter = SenderLimiter(limit=3, window=10, clock=lambda: now[0])
    for _ in range(3):
        limiter.check("a")
    with pytest.raises(TooManyMessagesError) as refused:
        limiter.check("a")
    assert refused.value.retry_after == pytest.approx(10)
    limiter.check("b")
    now[0] = 10.5
    limiter.check("a")
