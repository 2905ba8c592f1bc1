"""The suite runs against the INSTALLED package (make python-test installs it into a virtual
environment under .build/ and runs pytest from a folder where python/src is not importable).

NTK_EXPECT_EXTRAS=present|absent says which optional extras the environment was built with,
so that a broken environment cannot silently test the other case.
"""

import importlib.util
import os
import subprocess

import pytest

import ntk

EXTRAS = ("numpy", "pandas", "mpmath", "sympy", "matplotlib", "tqdm")


def extras_present():
    return all(importlib.util.find_spec(name) is not None for name in EXTRAS)


def extras_absent():
    return all(importlib.util.find_spec(name) is None for name in EXTRAS)


@pytest.fixture(scope="session")
def cli():
    """Runs the packaged `ntk` binary as a separate process: (exit code, stdout, stderr)."""
    def run(*arguments):
        completed = subprocess.run([ntk.engine_path(), *arguments], capture_output=True, text=True, timeout=600)
        return completed.returncode, completed.stdout, completed.stderr
    return run


def pytest_report_header(config):
    return [f"ntk from {ntk.__file__}; engine {ntk.engine_path()}; "
            f"NTK_EXPECT_EXTRAS={os.environ.get('NTK_EXPECT_EXTRAS', '(unset)')}"]
