"""The engine processes: `ntk engine` children speaking one JSON line per request.

Each engine runs one request at a time. A pool hands an idle engine to each call (starting
one when none is idle, up to `MAX_ENGINES`), so calls from many threads run in parallel and
give the same results as sequential ones. Engines start in their own session, so a Ctrl-C
typed in a terminal reaches only Python; on KeyboardInterrupt the call sends SIGINT to its
engine (which removes partial files and exits), reaps it, and re-raises. The next call starts
a fresh engine.
"""

import atexit
import json
import os
import select
import signal
import subprocess
import threading
from decimal import Decimal
from pathlib import Path

MAX_ENGINES = max(4, os.cpu_count() or 1)
_POLL_SECONDS = 0.1  # how often a waiting call looks for a pending KeyboardInterrupt


class EngineError(RuntimeError):
    """The engine process failed (it could not start, or died while answering)."""


def engine_path():
    """The `ntk` binary inside the installed package (`NTK_ENGINE` overrides it for development)."""
    override = os.environ.get("NTK_ENGINE")
    if override:
        return override
    return str(Path(__file__).resolve().parent / "_bin" / "ntk")


class _Engine:
    def __init__(self):
        path = engine_path()
        if not os.path.isfile(path):
            raise EngineError(f"the ntk engine binary is missing at {path}; reinstall the package (pip install ./python)")
        self.process = subprocess.Popen(
            [path, "engine"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            start_new_session=True, bufsize=0)
        self._buffer = b""
        self._next_id = 0

    def request(self, command, options, on_progress=None):
        """Sends one request and returns the final answer (a dict); progress lines go to `on_progress`."""
        self._next_id += 1
        request_id = self._next_id
        line = json.dumps({"id": request_id, "command": command, "options": options,
                           "progress": on_progress is not None}, separators=(",", ":"))
        data = memoryview(line.encode() + b"\n")
        try:
            while data:
                data = data[os.write(self.process.stdin.fileno(), data):]
        except OSError as error:
            raise EngineError(f"the ntk engine stopped unexpectedly ({error})") from None
        while True:
            answer = json.loads(self._read_line(), parse_float=Decimal)
            if "progress" in answer:
                if on_progress is not None:
                    on_progress(answer["progress"])
                continue
            return answer

    def _read_line(self):
        fd = self.process.stdout.fileno()
        while b"\n" not in self._buffer:
            # A bounded wait, so a KeyboardInterrupt delivered to another thread of the
            # interpreter is still raised here within _POLL_SECONDS.
            ready, _, _ = select.select([fd], [], [], _POLL_SECONDS)
            if not ready:
                continue
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                code = self.process.wait()
                raise EngineError(f"the ntk engine stopped unexpectedly (exit status {code})")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line

    def interrupt(self):
        """SIGINT (the engine removes partial files and exits), then reap; SIGKILL if it lingers."""
        try:
            self.process.send_signal(signal.SIGINT)
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        except OSError:
            pass
        self.close()

    def close(self):
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class _Pool:
    def __init__(self):
        self._idle = []
        self._count = 0
        self._live = set()  # every engine started and not yet stopped
        self._owner = os.getpid()
        self._condition = threading.Condition()

    def _acquire(self):
        if os.getpid() != self._owner:
            # A forked child (multiprocessing): the engines and their pipes belong to the parent.
            self.__init__()
        with self._condition:
            while not self._idle and self._count >= MAX_ENGINES:
                self._condition.wait()
            while self._idle:
                engine = self._idle.pop()
                if engine.process.poll() is None:
                    return engine
                # An idle engine that died (killed from outside): forget it, nothing was lost.
                self._count -= 1
                self._live.discard(engine)
                engine.close()
            self._count += 1
        try:
            engine = _Engine()
        except BaseException:
            self._discard()
            raise
        with self._condition:
            self._live.add(engine)
        return engine

    def _release(self, engine):
        with self._condition:
            self._idle.append(engine)
            self._condition.notify()

    def _discard(self, engine=None):
        with self._condition:
            self._count -= 1
            self._live.discard(engine)
            self._condition.notify()

    def process_ids(self):
        """The PIDs of the running engines (for tests and diagnostics)."""
        with self._condition:
            return sorted(engine.process.pid for engine in self._live)

    def request(self, command, options, on_progress=None):
        engine = self._acquire()
        try:
            answer = engine.request(command, options, on_progress)
        except BaseException:
            # KeyboardInterrupt, a failing progress callback, or a dead engine: this engine
            # may be mid-command, so stop it and let the next call start a fresh one.
            engine.interrupt()
            self._discard(engine)
            raise
        self._release(engine)
        return answer

    def close(self):
        with self._condition:
            idle, self._idle = self._idle, []
            self._count -= len(idle)
            self._live.difference_update(idle)
        for engine in idle:
            engine.close()


POOL = _Pool()
atexit.register(POOL.close)
