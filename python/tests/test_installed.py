"""The package under test is the installed one, with its own engine binary."""

import os
import sysconfig
from pathlib import Path

import ntk


def test_imported_from_the_installed_package_not_the_source_tree():
    installed = Path(sysconfig.get_paths()["purelib"]).resolve()
    platform = Path(sysconfig.get_paths()["platlib"]).resolve()
    location = Path(ntk.__file__).resolve()
    assert installed in location.parents or platform in location.parents, location


def test_engine_ships_inside_the_package_and_needs_no_environment_variable():
    assert "NTK_ENGINE" not in os.environ
    engine = Path(ntk.engine_path())
    assert engine.parent.parent == Path(ntk.__file__).resolve().parent
    assert os.access(engine, os.X_OK)


def test_done_when_line_prints_61_over_12():
    assert str(ntk.moments(widths=[3, 2, 2], sigma2=2, exact=True).E_theta) == "61/12"
