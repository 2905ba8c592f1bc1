#!/usr/bin/env bash
# make python-test: builds the package's wheel (which compiles the Swift engine), installs it
# into two virtual environments under .build/python — one with the standard library only,
# one with every optional extra — and runs the pytest suite against each INSTALLED package,
# from a folder where python/src is not importable. pytest and the extras come from PyPI.
# pytest's exit code 5 (no tests collected) fails like any other non-zero code.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work="$root/.build/python"
python=${PYTHON:-python3}
mkdir -p "$work"

# Debian's python3 ships venv without ensurepip until python3-venv is installed.
if ! "$python" -c "import venv, ensurepip" >/dev/null 2>&1; then
  echo "installing python3-venv with apt-get" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv python3-pip >/dev/null
fi

environment() {  # environment NAME: creates it once with a pip that builds in place (>= 21.3)
  if [ ! -x "$work/$1/bin/python" ]; then
    "$python" -m venv "$work/$1" >&2
    "$work/$1/bin/python" -m pip install --quiet --upgrade pip >&2
  fi
  echo "$work/$1/bin/python"
}

builder=$(environment build)
rm -rf "$work/wheel"
"$builder" -m pip wheel --quiet --no-deps --wheel-dir "$work/wheel" "$root/python"
wheel=$(ls "$work/wheel"/ntk-*.whl)

for variant in bare full; do
  venv_python=$(environment "$variant")
  if [ "$variant" = full ]; then
    # jsonschema checks the JSON outputs against docs/schemas (a test dependency, not an extra).
    requirements=("$wheel[all]" jsonschema); expect=present
  else
    requirements=("$wheel"); expect=absent
  fi
  "$venv_python" -m pip install --quiet --force-reinstall --no-deps "$wheel"
  "$venv_python" -m pip install --quiet "${requirements[@]}" pytest
  echo "python-test: $variant environment (optional extras $expect)"
  status=0
  (cd "$work" && env -u NTK_ENGINE -u PYTHONPATH NTK_EXPECT_EXTRAS=$expect \
     "$venv_python" -m pytest -p no:cacheprovider -q "$root/python/tests") || status=$?
  if [ "$status" -ne 0 ]; then
    [ "$status" -eq 5 ] && echo "python-test: pytest collected no tests" >&2
    exit "$status"
  fi
done
