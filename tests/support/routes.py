"""The app's routes as (path, methods), whatever way FastAPI nests included routers.

FastAPI 0.165 keeps `include_router` routers as included-router objects that expose
their routes through `effective_route_contexts()`; older versions flatten them into
`APIRoute`s. Tests that must cover every page (a new page included) read both.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def routes(app: Any) -> Iterator[tuple[str, frozenset[str]]]:
    """Every route of `app` with its HTTP methods (mounts, like static files, left out)."""
    for route in app.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if callable(contexts):
            for context in contexts():
                yield context.path, frozenset(context.methods or ())
        elif getattr(route, "methods", None):
            yield route.path, frozenset(route.methods)


def get_pages(app: Any, prefix: str) -> list[str]:
    """Paths under `prefix` that answer GET, sorted (parameters still as {name})."""
    return sorted(
        {path for path, methods in routes(app) if "GET" in methods and path.startswith(prefix)}
    )
