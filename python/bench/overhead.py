"""make bench: per-call cost of the Python binding for `moments` on widths 3,2,2 (exact),
against spawning `ntk` once per call. Medians of many calls; target: at most 1 ms per call.

Three numbers: the full Python call (request, engine, conversion into Fractions), the bare
engine round trip (the same request line, answer read back, no conversion), and a fresh
`ntk moments … --format json` process per call.
"""

import json
import os
import statistics
import subprocess
import sys
import time

import ntk
from ntk import _engine

TARGET_MS = 1.0
OPTIONS = dict(widths=[3, 2, 2], sigma2=2, exact=True)


def median_ms(call, repeats):
    call()  # warm-up (starts the engine on the first call)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1e3


def engine_cpu_seconds(pid):
    """User + system CPU time of a process so far (Linux /proc), or None elsewhere."""
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_per_call_ms(call, engine_pid, repeats):
    """CPU time per call, of this interpreter and of the engine: on a machine shared with
    other jobs, wall time mostly measures the queue for a core; CPU time does not."""
    call()
    python_before, engine_before = time.process_time(), engine_cpu_seconds(engine_pid)
    for _ in range(repeats):
        call()
    python_cpu = (time.process_time() - python_before) / repeats * 1e3
    engine_after = engine_cpu_seconds(engine_pid)
    engine_cpu = None if engine_before is None else (engine_after - engine_before) / repeats * 1e3
    return python_cpu, engine_cpu


def main():
    assert str(ntk.moments(**OPTIONS).E_theta) == "61/12"
    python_call = median_ms(lambda: ntk.moments(**OPTIONS), 500)
    engine = _engine._Engine()
    try:
        wire = {"widths": [3, 2, 2], "sigma2": "2", "exact": True}
        round_trip = median_ms(lambda: engine.request("moments", wire), 500)
        python_cpu, engine_cpu = cpu_per_call_ms(lambda: ntk.moments(**OPTIONS), _engine.POOL.process_ids()[0], 2000)
    finally:
        engine.close()
    command = [_engine.engine_path(), "moments", "--widths", "3,2,2", "--sigma2", "2", "--exact", "--format", "json"]
    spawn = median_ms(lambda: subprocess.run(command, check=True, stdout=subprocess.PIPE), 40)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"python binding, moments 3,2,2 exact (median ms per call; load average {load:.1f}):")
    print(f"  ntk.moments(...) through the engine      {python_call:8.3f} ms   "
          f"target <= {TARGET_MS:.1f} ms: {'met' if python_call <= TARGET_MS else 'MISSED'}")
    print(f"  bare engine round trip (no conversion)   {round_trip:8.3f} ms")
    if engine_cpu is not None:
        print(f"  CPU per call: Python {python_cpu:.3f} ms + engine {engine_cpu:.3f} ms = {python_cpu + engine_cpu:.3f} ms"
              f"   (about the wall time on an idle machine)")
    print(f"  spawning ntk once per call               {spawn:8.3f} ms   ({spawn / python_call:.0f}x the engine call)")


if __name__ == "__main__":
    sys.exit(main())
