"""A bug in one person's conversation step, for the tests of what is set aside and what goes on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from collection import routing


@dataclass
class BrokenStep:
    """How many times the broken person's step was tried."""

    attempts: int = 0


def break_the_step_of(
    monkeypatch: pytest.MonkeyPatch,
    address_hash: str,
    error: type[Exception] = RuntimeError,
) -> BrokenStep:
    """Routing raises `error` ("a bug in the step") for this person's messages only;
    everyone else's steps run as they do."""
    broken = BrokenStep()
    real_route = routing.route

    async def failing_route(**kwargs: Any) -> routing.Route:
        if kwargs["participant"].address_hash == address_hash:
            broken.attempts += 1
            raise error("a bug in the step")
        return await real_route(**kwargs)

    monkeypatch.setattr(routing, "route", failing_route)
    return broken
