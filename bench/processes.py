"""Child processes of a benchmark: the product's servers, each with a log file.

Every child runs in its own session so it can be signalled by process id
alone, and every child still running when the benchmark exits is stopped by
an ``atexit`` hook, so an interrupted run leaves nothing behind.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import FrameType

import httpx

__all__ = [
    "CLI",
    "BenchTimeout",
    "Child",
    "free_port",
    "hard_time_limit",
    "process_cpu_seconds",
    "start_sandbox",
    "wait_until_ok",
]

CLI = str(Path(sys.executable).parent / "dr-distributor")
"""The product's console script in the running virtual environment."""

_RUNNING: list[Child] = []


class BenchTimeout(Exception):
    """The benchmark's wall-clock limit passed."""


class Child:
    """One child process whose standard output and error go to ``log_path``."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        log_dir: Path,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.log_path = log_dir / f"{name}.log"
        self.env = {**os.environ, **(env or {})}
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        if self.process is None:
            raise RuntimeError(f"child {self.name} is not started")
        return self.process.pid

    def start(self) -> Child:
        """Start the process, appending its output to the log file."""
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.env,
                start_new_session=True,
            )
        _RUNNING.append(self)
        return self

    def alive(self) -> bool:
        """Return whether the process is still running."""
        return self.process is not None and self.process.poll() is None

    def wait_for_output(self, pattern: str, timeout: float) -> re.Match[str]:
        """Wait until the log contains ``pattern`` (a regular expression)."""
        deadline = time.monotonic() + timeout
        compiled = re.compile(pattern)
        while True:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
            found = compiled.search(text)
            if found is not None:
                return found
            self._check_running_before(deadline, f"printing {pattern!r}")
            time.sleep(0.05)

    def _check_running_before(self, deadline: float, waiting_for: str) -> None:
        if not self.alive():
            raise RuntimeError(
                f"{self.name} exited before {waiting_for}; see {self.log_path}"
            )
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"{self.name} timed out before {waiting_for}; see {self.log_path}"
            )

    def kill(self) -> None:
        """Send SIGKILL and reap the process."""
        if self.alive():
            assert self.process is not None
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self, timeout: float = 15.0) -> int | None:
        """Send SIGTERM, wait up to ``timeout`` seconds, then SIGKILL, and return the exit code."""
        if self.process is None:
            return None
        if self.alive():
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        if self in _RUNNING:
            _RUNNING.remove(self)
        return self.process.returncode


@atexit.register
def _stop_all() -> None:
    for child in list(_RUNNING):
        child.stop(timeout=5)


def process_cpu_seconds(pid: int) -> float:
    """Return the user and system CPU seconds a process has used, from /proc (Linux)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as file:
        fields = file.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_ok(child: Child, url: str, timeout: float = 30.0) -> None:
    """Wait until GET ``url`` returns 200 while ``child`` runs."""
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        child._check_running_before(deadline, f"returning 200 for GET {url}")
        time.sleep(0.1)


def start_sandbox(
    log_dir: Path, *options: str, name: str = "sandbox"
) -> tuple[Child, str]:
    """Start ``dr-distributor sandbox`` on a free port and return it with its URL."""
    argv = [CLI, "sandbox", "--port", "0", *options]
    child = Child(name, argv, log_dir).start()
    found = child.wait_for_output(r"Digital River sandbox at (http://\S+)", timeout=60)
    return child, found.group(1)


@contextlib.contextmanager
def hard_time_limit(seconds: float) -> Iterator[None]:
    """Raise ``BenchTimeout`` in the main thread once ``seconds`` have passed.

    A backstop for the cooperative deadline checks of each benchmark, so a
    hung server cannot keep a run going.
    """

    def expire(signum: int, frame: FrameType | None) -> None:
        raise BenchTimeout(f"wall-clock limit of {seconds:.0f} s passed")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
