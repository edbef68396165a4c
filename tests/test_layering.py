"""The layers stay apart: `bot` is pure; `collection` never reaches up into channels or admin."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

FORBIDDEN = {
    "bot": {
        "sqlalchemy",
        "fastapi",
        "starlette",
        "telegram",
        "twilio",
        "httpx",
        "collection",
        "channels",
        "admin",
        "wtfc",
        "asyncio",
        "socket",
        "requests",
        "aiohttp",
        "os",
        "time",
        "datetime",
        "random",
        "uuid",
        "logging",
    },
    "collection": {"channels", "admin", "wtfc", "fastapi", "telegram", "twilio"},
    "channels": {"admin", "wtfc"},
    "admin": {"wtfc"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_nothing_it_must_not(layer: str) -> None:
    """Each layer imports only what the architecture allows."""
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & FORBIDDEN[layer])
        for path in (ROOT / layer).rglob("*.py")
        if "migrations" not in path.parts
    }
    assert {k: v for k, v in offenders.items() if v} == {}
