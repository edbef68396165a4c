"""How many examples a property test draws: its own number, or fewer in the fast loop."""

from __future__ import annotations

from hypothesis import settings


def examples(full: int, *, at_least: int = 0) -> int:
    """`full` normally; under `--hypothesis-profile=fast` (scripts/test --fast) the profile's
    smaller number, so a test that sets its own count still follows the fast loop, but
    never fewer than `at_least` (what the test needs to reach what it checks)."""
    if settings.get_current_profile_name() == "fast":
        return min(full, max(settings.default.max_examples, at_least))
    return full
