"""The export browser's limits: one image at a time, none waiting longer than its own time limit, a drawing that
runs out of time stopped rather than tried again. The browser itself is stood in for, so the timing is exact."""

from __future__ import annotations

import threading
import time

import plotly.graph_objects as go
import pytest

from dashboard.exports import images


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
