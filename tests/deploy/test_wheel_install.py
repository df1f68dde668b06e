"""The app installs with ``pip install .``: the wheel carries templates, static files,
translations and migrations, and ``flask db upgrade`` runs from the installed copy
(docs/deployment.md). Built and installed without a network: the new environment sees
the current one's packages for the dependencies."""

from __future__ import annotations

import os
import site
import sqlite3
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _fresh_state():  # no session database: this test makes its own
    yield


def _run(args: list, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, (args, result.stdout[-3000:], result.stderr[-3000:])
    return result


def test_wheel_installs_and_migrates_from_the_installed_copy(tmp_path):
    wheels = tmp_path / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", wheels, ROOT], ROOT)
    (wheel,) = wheels.glob("corrections-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "config.py",
        "wsgi.py",
        "corrections/templates/base.html",
        "corrections/static/app.css",
        "corrections/translations/en/LC_MESSAGES/messages.mo",
        "corrections/migrations/env.py",
        "corrections/migrations/alembic.ini",
        "corrections/migrations/script.py.mako",
    ):
        assert needed in names, needed
    assert any(n.startswith("corrections/migrations/versions/") for n in names)
    assert not any("__pycache__" in n for n in names)

    # A fresh environment; the dependencies come from this one (no index, no network).
    target = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(target)
    python = target / "bin" / "python"
    purelib = _run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp_path
    ).stdout.strip()
    (Path(purelib) / "dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    _run([python, "-m", "pip", "install", "-q", "--no-index", "--no-deps", wheel], tmp_path)

    work = tmp_path / "elsewhere"  # not the source tree
    work.mkdir()
    database = tmp_path / "installed.db"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "FLASK_APP", "APP_ENV")}
    env.update(
        APP_ENV="development",
        DATABASE_URL=f"sqlite:///{database}",
        INSTANCE_PATH=str(tmp_path / "instance"),
    )
    where = _run(
        [python, "-c", "import corrections, config, wsgi; print(corrections.__file__)"], work, env
    ).stdout
    assert where.strip().startswith(purelib), where
    # (Flask's console script lives in the other environment: ``python -m flask`` is the same.)
    _run([python, "-m", "flask", "--app", "wsgi", "db", "upgrade"], work, env)
    with sqlite3.connect(database) as conn:
        (head,) = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert head and {"units", "stations", "users", "correction_cases"} <= tables
    # The installed copy renders its own templates and serves its own static files.
    page = _run(
        [
            python,
            "-c",
            "from wsgi import app\n"
            "c = app.test_client()\n"
            "r = c.get('/login'); assert r.status_code == 200, r.status_code\n"
            "s = c.get('/static/app.css'); assert s.status_code == 200, s.status_code\n"
            "print(r.get_data(as_text=True))",
        ],
        work,
        env,
    ).stdout
    assert "<form" in page
