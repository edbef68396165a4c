"""scripts/setup runs pip only when pyproject.toml changed (a start is not 15 s of pip)."""

from __future__ import annotations

import shutil
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

FAKE_PYTHON = f"""#!/bin/sh
# Stands in for .venv/bin/python: pip calls are logged, not run; the rest is Python.
if [ "$1" = "-m" ]; then echo "$*" >> "$(dirname "$0")/pip.log"; exit 0; fi
exec {sys.executable} "$@"
"""


def _project(folder: Path) -> Path:
    (folder / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "setup", folder / "scripts" / "setup")
    (folder / "pyproject.toml").write_text('[project]\nname = "x"\n')
    python = folder / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(FAKE_PYTHON)
    python.chmod(python.stat().st_mode | stat.S_IXUSR)
    return python.parent / "pip.log"


def _setup(folder: Path) -> None:
    subprocess.run(["bash", str(folder / "scripts" / "setup")], check=True, timeout=60)


def _installs(log: Path) -> int:
    if not log.exists():
        return 0
    return sum(" -e " in f"{line} " for line in log.read_text().splitlines())


def test_pip_runs_once_then_only_after_pyproject_changes(tmp_path: Path) -> None:
    log = _project(tmp_path)
    _setup(tmp_path)
    assert _installs(log) == 1
    _setup(tmp_path)
    _setup(tmp_path)
    assert _installs(log) == 1  # nothing changed: no pip at all
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "2"\n')
    _setup(tmp_path)
    assert _installs(log) == 2
