"""Words the Trends page writes from lists of periods."""

from __future__ import annotations


def test_periods_a_note_lists_are_put_as_runs():
    from dashboard.views.trends import runs_text

    periods = ["2012/13", "2013/14", "2014/15", "2015/16", "2016/17"]
    assert runs_text(["2012/13", "2014/15", "2015/16", "2016/17"], periods) == "2012/13, 2014/15 to 2016/17"
    assert runs_text(["2013/14"], periods) == "2013/14"
