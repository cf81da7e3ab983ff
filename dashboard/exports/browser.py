"""The export browser: one kaleido (headless Chromium) on an event loop of its own, each drawing waited for at most a
time limit, and a browser that has not answered by then killed, so the next export starts a fresh one."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import signal
import subprocess
import threading
from collections.abc import Callable

import kaleido

# How long a browser that stopped answering is given to close itself before its processes are killed.
CLOSE_SECONDS = 5.0


def _kaleido(seconds: float):
    # MathJax off (it would come from a CDN); the browser is Debian's Chromium, found by kaleido.
    return kaleido.Kaleido(n=1, timeout=seconds, mathjax=False)


class ExportBrowser:
    """A kaleido that draws one figure at a time (the caller holds a lock) and never leaves its caller waiting.

    kaleido's own time limit covers only the drawing itself, and its sync server waits for an answer with no limit at
    all: a Chromium that stopped answering over its pipe once held an export, and the test run with it, for good. Here
    the caller waits on a future with a timeout, so whatever the browser does, the wait ends."""

    def __init__(self, make: Callable[[float], object] = _kaleido):
        self._make = make
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._browser = None

    def calc(self, spec: dict, opts: dict, topojson: str, seconds: float) -> bytes:
        """The figure drawn as opts say; raises TimeoutError (the browser killed) if it takes longer than seconds.

        A browser that does not finish starting within seconds is killed and one more started: Chromium once hung
        opening its first tab on a busy machine, and the export it was for had asked for nothing yet."""
        if self._browser is None:
            try:
                self._start(seconds)
            except TimeoutError:
                self._start(seconds)
        return self._wait(self._browser.calc_fig(spec, opts=opts, topojson=topojson), seconds)

    def stop(self) -> None:
        """Close the browser (killing it if it will not close) and its event loop; the next drawing starts afresh."""
        browser, loop, thread = self._browser, self._loop, self._thread
        self._browser = self._loop = self._thread = None
        if loop is None:
            return
        try:
            if browser is not None:
                asyncio.run_coroutine_threadsafe(browser.close(), loop).result(CLOSE_SECONDS)
        except Exception:  # noqa: BLE001 - a browser that will not close is killed below, whatever it raised
            pass
        finally:
            _kill(getattr(browser, "subprocess", None))
            loop.call_soon_threadsafe(_cancel_all, loop)
            thread.join(CLOSE_SECONDS)

    def _start(self, seconds: float) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="export-browser", daemon=True)
        self._thread.start()
        self._browser = self._make(seconds)
        self._wait(self._browser.open(), seconds)

    def _wait(self, coroutine, seconds: float):
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(seconds)
        except concurrent.futures.TimeoutError as exc:
            future.cancel()
            self.stop()
            raise TimeoutError(f"the export browser did not answer within {seconds:g} seconds") from exc


def _kill(process: subprocess.Popen | None) -> None:
    """Chromium and every process it started (it runs in a session of its own), if any are still running."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()
    process.wait(CLOSE_SECONDS)


def _cancel_all(loop: asyncio.AbstractEventLoop) -> None:
    for task in asyncio.all_tasks(loop):
        task.cancel()
    # Stopping on the next pass lets the cancelled tasks unwind first.
    loop.call_soon(loop.stop)
