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


ADMIN_SIDES = {
    # What a role inside admin/ may not import: the HTTP side (pages, API routes, the
    # web plumbing) sits on the services and exports, never the other way round.
    "services": {"admin.pages", "admin.api.v1", "admin.web.rendering", "admin.router", "fastapi"},
    "exports": {"admin.pages", "admin.api.v1", "admin.web.rendering", "admin.router", "fastapi"},
    "pages": {"admin.api.v1"},
    "api": {"admin.pages"},
}
ADMIN_ALLOWED = {
    # Shapes and words, not behaviour: request/answer schemas, the N_ marker and the
    # plain exceptions an admin request is turned away with.
    "admin.api.schemas",
    "admin.api.workshop_schemas",
    "admin.web.i18n",
    "admin.web.errors",
}


def _admin_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
            found.add(node.module)
    return found


def _breaks(imported: str, forbidden: set[str]) -> bool:
    if any(imported == ok or imported.startswith(ok + ".") for ok in ADMIN_ALLOWED):
        return False
    if imported in {"admin.api.v1", "admin.web.rendering"}:  # the package itself, then its modules
        return imported in forbidden
    return any(imported == bad or imported.startswith(bad + ".") for bad in forbidden)


@pytest.mark.parametrize("role", sorted(ADMIN_SIDES))
def test_admin_roles_keep_to_their_side(role: str) -> None:
    """admin/ is split by role: services and exports never reach into pages or the API."""
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            name for name in _admin_imports(path) if _breaks(name, ADMIN_SIDES[role])
        )
        for path in (ROOT / "admin" / role).glob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_admin_has_no_flat_modules_left() -> None:
    """Every admin module says its role by its package (only the router assembles them)."""
    flat = sorted(p.name for p in (ROOT / "admin").glob("*.py"))
    assert flat == ["__init__.py", "router.py"]
