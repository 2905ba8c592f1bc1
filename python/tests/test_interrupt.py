"""KeyboardInterrupt during a long Monte Carlo run stops the engine (by its PID, with SIGINT,
so it removes partial files), and the interpreter goes on with a fresh engine."""

import os
import signal
import threading
import time

import pytest

import ntk
from ntk import _engine


def _interrupt_after(seconds, target):
    def send():
        time.sleep(seconds)
        target()
    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("how", ["process", "main-thread"])
def test_keyboard_interrupt_stops_a_long_run_and_the_interpreter_continues(tmp_path, how):
    ntk.moments(widths=[3, 2, 2], sigma2=2, exact=True)  # an engine is up before the clock starts
    before = set(_engine.POOL.process_ids())
    stats = tmp_path / "stats.json"
    if how == "process":   # as a terminal or Jupyter delivers it: to the process, any thread may take it
        sender = _interrupt_after(2.0, lambda: os.kill(os.getpid(), signal.SIGINT))
    else:
        main = threading.main_thread().ident
        sender = _interrupt_after(2.0, lambda: signal.pthread_kill(main, signal.SIGINT))
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        # About 10^9 samples of a 100x40 network: many hours on any machine.
        ntk.validate(width=100, depth=40, sigma2=2, samples="1e9", seed=1, threads=1, emit_stats=str(stats))
    elapsed = time.monotonic() - started
    sender.join()
    # Generous: the point is "stops", not a tight timing on a loaded machine.
    assert elapsed < 120, elapsed
    after = set(_engine.POOL.process_ids())
    for pid in before - after:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # already reaped: nothing left running or zombie
    assert list(tmp_path.iterdir()) == []  # nothing half-written
    assert str(ntk.moments(widths=[3, 2, 2], sigma2=2, exact=True).E_theta) == "61/12"


def test_progress_reaches_a_callback():
    updates = []
    ntk.validate(width=20, depth=10, sigma2=2, samples=20000, seed=1, threads=1, progress=updates.append)
    assert updates and all("text" in u for u in updates)
    assert all(u["total"] == 20000 for u in updates if "total" in u)


def _wait_until_dead(pid):
    """SIGKILL is asynchronous: wait (without a time limit) until the process is a zombie or gone."""
    while True:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X"):
                    return
        except FileNotFoundError:
            return
        time.sleep(0.01)


def test_an_engine_killed_from_outside_never_takes_the_interpreter_down():
    ntk.moments(widths=[3, 2, 2], sigma2=2, exact=True)
    for pid in _engine.POOL.process_ids():  # idle engines: the next call starts a fresh one
        os.kill(pid, signal.SIGKILL)
        _wait_until_dead(pid)
    assert str(ntk.moments(widths=[3, 2, 2], sigma2=2, exact=True).E_theta) == "61/12"
    # Killed in the middle of a call: that call raises EngineError, the next one works.
    busy = set(_engine.POOL.process_ids())
    def kill_the_running_engine():
        for pid in set(_engine.POOL.process_ids()) | busy:
            os.kill(pid, signal.SIGKILL)
    killer = _interrupt_after(1.0, kill_the_running_engine)
    with pytest.raises(ntk.EngineError):
        ntk.validate(width=100, depth=40, sigma2=2, samples="1e9", seed=1, threads=1)
    killer.join()
    assert str(ntk.moments(widths=[3, 2, 2], sigma2=2, exact=True).E_theta) == "61/12"
