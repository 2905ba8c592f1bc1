"""Every ```python block of docs/python.md runs, in order, in one namespace (as a notebook
would), in a temporary folder, with matplotlib drawing off screen."""

import os
import re
from pathlib import Path

import pytest

from conftest import extras_present

DOC = Path(__file__).resolve().parents[2] / "docs" / "python.md"


def blocks():
    return re.findall(r"^```python\n(.*?)^```", DOC.read_text(encoding="utf-8"), re.S | re.M)


def test_the_document_has_code_blocks():
    assert len(blocks()) >= 3


@pytest.mark.skipif(not extras_present(), reason="the walkthrough uses matplotlib, numpy and pandas")
def test_every_python_block_runs(tmp_path, monkeypatch, capsys):
    import matplotlib
    matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "__docs__"}
    for index, code in enumerate(blocks()):
        exec(compile(code, f"{DOC.name} block {index + 1}", "exec"), namespace)
    printed = capsys.readouterr().out
    assert "61/12" in printed
    assert (tmp_path / "dispersion.png").stat().st_size > 10_000
