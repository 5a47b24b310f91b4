"""Static analysis is part of the test suite, so CI fails on a security finding like on a failing test."""

import subprocess
import sys

import pytest

from support import ROOT


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_ruff_finds_nothing():
    """Pyflakes, bugbear and bandit's rules (S) over the code, tests and benchmarks (pyproject.toml)."""
    result = _run("ruff", "check", "--no-cache", "feedback", "ml", "tests", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_bandit_finds_nothing():
    result = _run("bandit", "-q", "-c", "pyproject.toml", "-r", "feedback", "ml")
    assert result.returncode == 0, result.stdout + result.stderr
