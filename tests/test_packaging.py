"""A wheel built from the repo runs the demo in a fresh virtual environment, with no checkout."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(REPO)],
        check=True, timeout=300,
    )
    [built] = out.glob("consent_kit-*.whl")
    return built


def test_wheel_ships_forms_templates_and_plugins_package_but_no_bare_plugins(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "consent_kit/forms/have-your-say.yaml" in names
    assert "consent_kit/web/templates/base.html" in names
    assert "consent_kit/web/static/ck.css" in names
    assert not any(n.startswith("plugins/") for n in names)
    assert not any(n.startswith("tests/") for n in names)
    for init in REPO.glob("consent_kit/**/__init__.py"):  # every sub-package is listed in setup.cfg
        assert str(init.relative_to(REPO)) in names


@pytest.mark.slow
def test_wheel_runs_the_demo_in_a_fresh_venv(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, str(wheel)], check=True, timeout=600)
    work = tmp_path / "elsewhere"  # no checkout here: everything must come from the wheel
    work.mkdir()
    command = str(venv / "bin" / "consent-kit")
    check = subprocess.run([command, "init", "site"], cwd=work, capture_output=True, text=True,
                           timeout=60)
    assert check.returncode == 0, check.stderr
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    server = subprocess.Popen(
        [command, "serve", "--instance", "site", "--port", str(port)],
        cwd=work, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )
    try:
        page = _get_when_ready(f"http://127.0.0.1:{port}/s/have-your-say", deadline=60)
        assert "Have your say about youth services" in page
        css = _get_when_ready(f"http://127.0.0.1:{port}/static/ck.css", deadline=5)
        assert "--focus" in css
    finally:
        server.kill()
        output = server.communicate(timeout=10)[0]
    assert f"http://127.0.0.1:{port}/s/have-your-say" in output


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get_when_ready(url: str, *, deadline: float) -> str:
    end = time.monotonic() + deadline
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode()
        except OSError:
            if time.monotonic() > end:
                raise
            time.sleep(0.2)  # polling a server that is starting, not synchronising threads
