"""Mark each test by what it needs, found from the code it runs rather than by hand.

A test is `browser` when it (or a fixture it uses, or a helper of the suite they call)
drives Playwright; `subprocess` when any of them starts a child process (`subprocess`,
`asyncio.create_subprocess_exec`): Prism, the Telegram emulator, `wtfc serve`, nginx,
psql; `postgres` when it needs PostgreSQL whatever the suite runs on (the `pg_url` and
`pg_database` fixtures). Helpers are followed through the suite's own modules
(`tests.*`), not into the product or libraries. `scripts/test --fast` deselects all three.
"""

from __future__ import annotations

import inspect
import sys
import types
from collections.abc import Iterator
from typing import Any

import pytest

POSTGRES_FIXTURES = frozenset({"pg_url", "pg_database"})
SPAWNING = frozenset({"create_subprocess_exec", "create_subprocess_shell", "Popen"})
"""Names that start a child process wherever they come from (`asyncio.create_subprocess_exec`)."""

_needs: dict[int, frozenset[str]] = {}


def mark_by_needs(items: list[pytest.Item]) -> None:
    for item in items:
        needs: set[str] = set()
        function = getattr(item, "function", None)
        if function is not None:
            needs |= needs_of(function)
        names = set(getattr(item, "fixturenames", ()))
        for func in _fixture_functions(item, names):
            needs |= needs_of(func)
        if names & POSTGRES_FIXTURES:
            needs.add("postgres")
        for need in sorted(needs):
            if not item.get_closest_marker(need):
                item.add_marker(need)


def _fixture_functions(item: pytest.Item, names: set[str]) -> Iterator[Any]:
    """The functions of the fixtures a test uses, with those a fixture asks for by name
    (`request.getfixturevalue(name)`, the name held in its closure: fault_proxy_fixture)."""
    manager = item.session._fixturemanager
    todo, seen = list(names), set(names)
    while todo:
        for definition in manager.getfixturedefs(todo.pop(), item) or ():
            yield definition.func
            for cell in definition.func.__closure__ or ():
                try:
                    value = cell.cell_contents
                except ValueError:
                    continue
                if isinstance(value, str) and value not in seen:
                    seen.add(value)
                    names.add(value)
                    todo.append(value)


def needs_of(obj: Any) -> frozenset[str]:
    """`browser` and/or `subprocess` if calling `obj` may drive Chromium or start a process."""
    try:
        obj = inspect.unwrap(obj)
    except ValueError:
        return frozenset()
    code = getattr(obj, "__code__", None)
    if code is None:
        return frozenset()
    key = id(code)
    if key in _needs:
        return _needs[key]
    _needs[key] = frozenset()  # a cycle adds nothing
    found: set[str] = set()
    scope = getattr(obj, "__globals__", {})
    for name in _names(code):
        if name in SPAWNING:
            found.add("subprocess")
        if name not in scope:
            continue
        found |= _needs_of_global(scope[name])
    _needs[key] = frozenset(found)
    return _needs[key]


def _needs_of_global(value: Any) -> set[str]:
    module = value.__name__ if isinstance(value, types.ModuleType) else _module_of(value)
    if module == "subprocess" or module.startswith("asyncio.subprocess"):
        return {"subprocess"}
    if module.startswith("playwright"):
        return {"browser"}
    if not module.startswith("tests.") or isinstance(value, types.ModuleType):
        return set()
    if inspect.isclass(value):
        found: set[str] = set()
        for member in vars(value).values():
            found |= needs_of(member.__func__ if isinstance(member, staticmethod) else member)
        return found
    if callable(value):
        return set(needs_of(value))
    return set()


def _module_of(value: Any) -> str:
    module = getattr(value, "__module__", None)
    if isinstance(module, str):
        return module
    return getattr(sys.modules.get(type(value).__module__), "__name__", "") or ""


def _names(code: types.CodeType) -> Iterator[str]:
    yield from code.co_names
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            yield from _names(constant)
