"""What the load test's readers send, shared by the locust file and the benchmark that warms the server up."""

from __future__ import annotations

import json
import os
import random

# The places and years come from the warehouse under test (the load test passes them on), so every request asks for
# something the data holds: a refused filter is answered with a cheap sentence and would flatter the figures.
LOCALITIES = [None, *filter(None, os.environ.get("BENCH_LOCALITIES", "N,E,SC,W").split(","))]
YEARS = os.environ.get("BENCH_YEARS", "2024/25,2023/24,2022/23").split(",")
MEASURES = ["suspension_rate", "persistent_absence", "absence_rate", "ehcp_rate"]
USERNAME, PASSWORD = "officer", "the officer's long passphrase"
# What a refused request says (dashboard.domain.filters): counted as a failure, never as a quick answer.
REFUSED = "in the data; reload the page"


def filters() -> dict:
    """A filter state a reader might choose."""
    return {
        "measure": random.choice(MEASURES),
        "year": random.choice(YEARS),
        "locality": random.choice(LOCALITIES),
        "level": random.choice(["area", "ward"]),
        "schools": "hide",
        "colour": "value",
        "compare": "borough",
        "by": "locality",
        "period": "year",
    }


def output_name(outputs: list[dict]) -> str:
    """The callback's name as Dash's renderer writes it: 'id.prop', or '..id.prop...id.prop..' for several."""
    names = [
        f"{json.dumps(o['id'], sort_keys=True, separators=(',', ':')) if isinstance(o['id'], dict) else o['id']}"
        f".{o['property']}"
        for o in outputs
    ]
    return names[0] if len(names) == 1 else ".." + "...".join(names) + ".."


def body(outputs: list[dict], inputs: list[dict], state: list[dict] = ()) -> dict:
    """A callback request as Dash's renderer posts it."""
    return {
        "output": output_name(outputs),
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": inputs,
        "state": list(state),
        "changedPropIds": ["filter-store.data"],
    }
