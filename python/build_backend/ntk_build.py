"""PEP 517 build backend of the `ntk` Python package.

It compiles the Swift engine the way maturin or scikit-build compile a native core during
`pip install`: `make deps` (GMP/MPFR headers, when `make` is available), then
`swift build -c release --product ntk` in the repository root, and packs the binary into the
wheel as `ntk/_bin/ntk` beside the pure-Python sources. It needs nothing beyond the standard
library, so `pip install ./python` works without downloading a build tool.
Set SWIFT to use another `swift` executable.
"""

import base64
import hashlib
import os
import re
import shutil
import stat
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
REPOSITORY_ROOT = PACKAGE_ROOT.parent


def _project():
    """Name, version, requires-python and extras, read from pyproject.toml (no tomllib on 3.9)."""
    text = (PACKAGE_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    project = text.split("[project]", 1)[1]
    name = re.search(r'^name = "([^"]+)"', project, re.M).group(1)
    version = re.search(r'^version = "([^"]+)"', project, re.M).group(1)
    summary = re.search(r'^description = "([^"]+)"', project, re.M).group(1)
    python = re.search(r'^requires-python = "([^"]+)"', project, re.M).group(1)
    extras = {}
    section = text.split("[project.optional-dependencies]", 1)[1].split("\n[", 1)[0]
    for key, values in re.findall(r"^([A-Za-z0-9_-]+) = \[([^\]]*)\]", section, re.M):
        extras[key] = re.findall(r'"([^"]+)"', values)
    return name, version, summary, python, extras


def _platform_tag():
    return re.sub(r"[^A-Za-z0-9_]", "_", sysconfig.get_platform())


def _run(command, cwd):
    print("ntk build:", " ".join(command), file=sys.stderr, flush=True)
    subprocess.run(command, cwd=str(cwd), check=True, stdout=sys.stderr)


def _build_engine():
    """Compiles the release `ntk` binary and returns its path."""
    if not (REPOSITORY_ROOT / "Package.swift").is_file():
        raise RuntimeError("the ntk package builds from a clone of the ntk repository (Package.swift not "
                           f"found next to {PACKAGE_ROOT}); pip older than 21.3 copies the folder away "
                           "first: upgrade it with `python3 -m pip install -U pip`")
    if shutil.which("make"):
        _run(["make", "--no-print-directory", "deps"], REPOSITORY_ROOT)
    swift = os.environ.get("SWIFT", "swift")
    _run([swift, "build", "-c", "release", "--product", "ntk"], REPOSITORY_ROOT)
    bin_path = subprocess.run([swift, "build", "-c", "release", "--show-bin-path"], cwd=str(REPOSITORY_ROOT),
                              check=True, stdout=subprocess.PIPE, text=True).stdout.strip()
    engine = Path(bin_path) / "ntk"
    if not engine.is_file():
        raise RuntimeError(f"swift build finished but {engine} does not exist")
    return engine


def _record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def _metadata_files():
    """(dist-info folder name, [(file name, bytes)]) of METADATA and WHEEL."""
    name, version, summary, python, extras = _project()
    metadata = [
        "Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}", f"Summary: {summary}",
        f"Requires-Python: {python}",
    ]
    for extra, requirements in extras.items():
        metadata.append(f"Provides-Extra: {extra}")
        metadata += [f'Requires-Dist: {r}; extra == "{extra}"' for r in requirements]
    readme = PACKAGE_ROOT / "README.md"
    body = "\n".join(metadata) + "\nDescription-Content-Type: text/markdown\n\n" + readme.read_text(encoding="utf-8")
    wheel = f"Wheel-Version: 1.0\nGenerator: ntk_build\nRoot-Is-Purelib: false\nTag: py3-none-{_platform_tag()}\n"
    return f"{name}-{version}.dist-info", [("METADATA", body.encode()), ("WHEEL", wheel.encode())]


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    """The metadata without compiling anything (pip asks for it before building)."""
    dist_info, files = _metadata_files()
    folder = Path(metadata_directory) / dist_info
    folder.mkdir(parents=True, exist_ok=True)
    for file_name, data in files:
        (folder / file_name).write_bytes(data)
    return dist_info


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name, version, _, _, _ = _project()
    tag = f"py3-none-{_platform_tag()}"
    wheel_path = Path(wheel_directory) / f"{name}-{version}-{tag}.whl"
    engine = _build_engine()

    files = []  # (archive path, bytes, executable)
    source = PACKAGE_ROOT / "src" / "ntk"
    for path in sorted(source.rglob("*.py")):
        files.append((f"ntk/{path.relative_to(source).as_posix()}", path.read_bytes(), False))
    files.append(("ntk/_bin/ntk", engine.read_bytes(), True))
    dist_info, metadata_files = _metadata_files()
    files += [(f"{dist_info}/{file_name}", data, False) for file_name, data in metadata_files]

    record = [_record_line(path, data) for path, data, _ in files] + [f"{dist_info}/RECORD,,"]
    files.append((f"{dist_info}/RECORD", ("\n".join(record) + "\n").encode(), False))

    Path(wheel_directory).mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, data, executable in files:
            info = zipfile.ZipInfo(path, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = ((0o755 if executable else 0o644) | stat.S_IFREG) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return wheel_path.name
