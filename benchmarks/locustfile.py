"""The load test's readers (locust): each signs in as an officer, then changes filters on the Map and Overview pages
and downloads tables and, now and then, an image, as a board's officers do before a meeting."""

from __future__ import annotations

import random
import re

from locust import HttpUser, between, task

from benchmarks.readers import LOCALITIES, PASSWORD, REFUSED, USERNAME, body, filters


class Officer(HttpUser):
    """One officer: signs in once, then works through the pages."""

    wait_time = between(0.5, 2)

    def _ask(self, method: str, path: str, name: str, **kwargs) -> None:
        """One request; an answer that refuses the filters counts as a failure, not as a fast success."""
        with self.client.request(method, path, name=name, catch_response=True, **kwargs) as response:
            if response.ok and REFUSED in response.text:
                response.failure("the filters were refused")

    def on_start(self):
        """Sign in as an officer, as a reader does once a session."""
        page = self.client.get("/login", name="/login").text
        token = re.search(r'name="token" value="([^"]+)"', page).group(1)
        self.client.post(
            "/login", data={"username": USERNAME, "password": PASSWORD, "token": token, "next": "/"}, name="/login"
        )

    @task(6)
    def change_the_map(self):
        """A filter change on the Map: the values as a Patch."""
        outputs = [
            {"id": "map-graph", "property": "figure"},
            {"id": "map-loaded", "property": "data"},
            {"id": {"type": "view", "view": "map-summary"}, "property": "children"},
            {"id": "map-note", "property": "children"},
        ]
        store = {"id": "filter-store", "property": "data", "value": filters()}
        loaded = {"id": "map-loaded", "property": "data", "value": f"{store['value']['level']}|hide"}
        self._ask("POST", "/_dash-update-component", "callback: map", json=body(outputs, [store], [loaded]))

    @task(3)
    def change_the_overview(self):
        """A filter change on the Overview: the cards and the locality table."""
        outputs = [
            {"id": "overview-selection", "property": "children"},
            {"id": "overview-cards", "property": "children"},
            {"id": {"type": "panel", "panel": "localities"}, "property": "children"},
        ]
        store = {"id": "filter-store", "property": "data", "value": filters()}
        self._ask("POST", "/_dash-update-component", "callback: overview", json=body(outputs, [store]))

    @task(2)
    def download_a_table(self):
        """A chart's table as CSV or XLSX."""
        state = filters()
        query = f"measure={state['measure']}&year={state['year']}" + (
            f"&locality={state['locality']}" if state["locality"] else ""
        )
        chart = random.choice(["map", "localities", "trend"])
        self._ask("GET", f"/export/{chart}.{random.choice(['csv', 'xlsx'])}?{query}", "export: table")

    @task(1)
    def download_an_image(self):
        """The map as a captioned PNG, drawn by the export browser."""
        locality = random.choice(LOCALITIES[1:])
        self._ask("GET", f"/export/map.png?locality={locality}", "export: image")
