"""The export browser's limits: one image at a time, none waiting longer than its own time limit, a drawing that
runs out of time stopped rather than tried again, a browser that never answers killed. The browser itself is stood in
for, so the timing is exact."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import threading
import time

import plotly.graph_objects as go
import pytest

from dashboard.exports import browser, images


@pytest.fixture()
def slow_browser(monkeypatch):
    """An export browser that takes `seconds[0]` to draw, or raises what `raises` holds; and a short time limit."""
    seconds, raises, drawn = [0.0], [None], []

    def calc(spec, opts):
        if raises[0] is not None:
            raise raises[0]
        time.sleep(seconds[0])
        drawn.append(opts["format"])
        return b"image"

    monkeypatch.setattr(images, "_calc", calc)
    monkeypatch.setattr(images, "_stop", lambda: drawn.append("stopped"))
    monkeypatch.setattr(images, "TIME_LIMIT", 0.5)
    return seconds, raises, drawn


def test_an_export_waiting_for_a_busy_browser_gives_up_after_its_own_time_limit(slow_browser):
    seconds, _, drawn = slow_browser
    seconds[0] = 4.0
    first = threading.Thread(target=images.draw, args=(go.Figure(), "png", 100, 100))
    first.start()
    time.sleep(0.1)  # the first export holds the browser
    started = time.perf_counter()
    with pytest.raises(images.ImageExportBusy, match="busy drawing other images"):
        images.draw(go.Figure(), "svg", 100, 100)
    waited = time.perf_counter() - started
    first.join()
    # It waited its own 0.5 s, not the first export's 4 s; the margin above is for a machine busy with other tests
    # (1.5 s seen), still far short of the first export's end.
    assert 0.45 <= waited < 2.5 and drawn == ["png"]


def test_a_drawing_that_runs_out_of_time_is_stopped_not_tried_again(slow_browser):
    _, raises, drawn = slow_browser
    raises[0] = TimeoutError()
    with pytest.raises(images.ImageExportFailed, match="took longer than 0.5 seconds"):
        images.draw(go.Figure(), "png", 100, 100)
    assert drawn == ["stopped"]
    raises[0] = None
    assert images.draw(go.Figure(), "png", 100, 100) == b"image"  # the next export is drawn


def test_a_browser_that_died_is_started_again_once(slow_browser):
    _, raises, drawn = slow_browser
    raises[0] = RuntimeError("the browser went away")
    with pytest.raises(images.ImageExportFailed, match="could not be drawn"):
        images.draw(go.Figure(), "png", 100, 100)
    assert drawn == ["stopped", "stopped"]


def test_a_caption_never_hands_the_browser_a_control_character():
    assert images.printable("North\x00 locality\x1b[31m") == "North locality[31m"


class _SilentBrowser:
    """A browser that starts (a real process of its own, as Chromium runs) and then never answers: not a drawing,
    not a request to close. One like it held an export, and a test run, for good."""

    made: list[_SilentBrowser] = []

    def __init__(self, seconds):
        self.process = subprocess.Popen(["sleep", "120"], start_new_session=True)
        self.subprocess = self.process
        _SilentBrowser.made.append(self)

    async def open(self):
        return None

    async def calc_fig(self, spec, opts, topojson):
        if len(_SilentBrowser.made) > 1:  # the browser started after the silent one answers
            return b"drawn by a fresh browser"
        await asyncio.Event().wait()

    async def close(self):
        await asyncio.Event().wait()


def test_a_browser_that_never_answers_is_killed_at_the_time_limit_and_the_next_export_gets_a_fresh_one(monkeypatch):
    _SilentBrowser.made.clear()
    monkeypatch.setattr(browser, "CLOSE_SECONDS", 0.3)
    monkeypatch.setattr(images, "_BROWSER", browser.ExportBrowser(make=_SilentBrowser))
    monkeypatch.setattr(images, "TIME_LIMIT", 0.5)
    started = time.perf_counter()
    with pytest.raises(images.ImageExportFailed, match="took longer than 0.5 seconds"):
        images.draw(go.Figure(), "png", 100, 100)
    waited = time.perf_counter() - started
    silent = _SilentBrowser.made[0]
    # Its 0.5 s, then 0.3 s for a close that never comes; the margin is for a machine busy with other tests.
    assert 0.75 <= waited < 3.0
    assert silent.process.poll() == -signal.SIGKILL  # killed, not left running
    assert images.draw(go.Figure(), "png", 100, 100) == b"drawn by a fresh browser"
    assert len(_SilentBrowser.made) == 2
    images._stop()


class _HangingStart(_SilentBrowser):
    """A browser whose first start never finishes opening (its tab hangs); the next starts and draws."""

    async def open(self):
        if len(_SilentBrowser.made) == 1:
            await asyncio.Event().wait()

    async def calc_fig(self, spec, opts, topojson):
        return b"drawn by the second browser"


def test_a_browser_that_never_finishes_starting_is_killed_and_one_more_started(monkeypatch):
    _SilentBrowser.made.clear()
    monkeypatch.setattr(browser, "CLOSE_SECONDS", 0.3)
    monkeypatch.setattr(images, "_BROWSER", browser.ExportBrowser(make=_HangingStart))
    monkeypatch.setattr(images, "TIME_LIMIT", 0.5)
    assert images.draw(go.Figure(), "png", 100, 100) == b"drawn by the second browser"
    first = _SilentBrowser.made[0]
    assert len(_SilentBrowser.made) == 2 and first.process.poll() == -signal.SIGKILL
    images._stop()
