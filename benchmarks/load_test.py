"""Load test: 25 signed-in officers (locust, headless, on loopback, bounded in time) against `make serve`'s gunicorn,
mixing the Map's and Overview's callbacks with table and image exports. Prints p50, p95 and errors per kind of
request, and writes them to bench/load_test.json.

Run: .venv/bin/python -m benchmarks.load_test [--users 25] [--seconds 60] [--workers 2]   (or: make bench)

All readers come from one address here, so the per-address rate limits are raised for the run (they are meant for
many readers behind many addresses); everything else is as `make serve` runs it.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from werkzeug.security import generate_password_hash

from benchmarks import readers
from benchmarks.readers import PASSWORD, USERNAME, body, filters
from dashboard.config import ROOT, Config
from dashboard.query.catalogue import filter_options
from dashboard.store.versions import versions_folder
from dashboard.store.warehouse import Warehouse


def forget_exports(db: Path) -> None:
    """Start with no exported file kept, as after a load: the files web workers share on disk outlive the server, so
    a run would otherwise be answered from the one before it."""
    for kept in versions_folder(db).glob("*.exports"):
        shutil.rmtree(kept)


def free_port() -> int:
    """A free port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, seconds: float = 60) -> None:
    """Wait for the server's health check to answer; raise if it does not within seconds."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"the server at {url} did not answer /healthz within {seconds:.0f} s")


class PeakMemory:
    """The largest resident memory (RSS) any web worker reached while the run lasted, sampled every quarter second:
    gunicorn's workers are its master's children."""

    def __init__(self, master_pid: int):
        import psutil

        self.master, self.peak, self._done = psutil.Process(master_pid), 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def start(self) -> None:
        """Start sampling."""
        self._thread.start()

    def stop(self) -> None:
        """Stop sampling (if it started)."""
        self._done.set()
        if self._thread.is_alive():
            self._thread.join()

    def _sample(self) -> None:
        import psutil

        while not self._done.wait(0.25):
            try:
                for worker in self.master.children():
                    self.peak = max(self.peak, worker.memory_info().rss)
            except psutil.Error:
                pass  # a worker restarted between the listing and the reading


def warm(url: str, seconds: float = 90) -> float:
    """Sign in and change the map until both workers answer at once (each builds its look-ups when it starts, beside
    its first requests); returns the seconds it took. Readers arriving at a server just started are not the test."""
    import requests

    started = time.monotonic()
    session = requests.Session()
    token = session.get(f"{url}/login").text.split('name="token" value="')[1].split('"')[0]
    session.post(f"{url}/login", data={"username": USERNAME, "password": PASSWORD, "token": token})
    outputs = [
        {"id": "map-graph", "property": "figure"},
        {"id": "map-loaded", "property": "data"},
        {"id": {"type": "view", "view": "map-summary"}, "property": "children"},
        {"id": "map-note", "property": "children"},
    ]
    quick = 0
    while quick < 10 and time.monotonic() - started < seconds:
        store = {"id": "filter-store", "property": "data", "value": filters()}
        loaded = {"id": "map-loaded", "property": "data", "value": f"{store['value']['level']}|hide"}
        answer = session.post(f"{url}/_dash-update-component", json=body(outputs, [store], [loaded]))
        quick = quick + 1 if answer.ok and answer.elapsed.total_seconds() < 0.1 else 0
    return time.monotonic() - started


def reader_choices(db: Path) -> dict[str, str]:
    """The localities and latest three years the warehouse holds, for the readers (and locust's, by environment)."""
    options = filter_options(Warehouse(db))
    localities = [code for code, _ in options.localities]
    years = [year for year, _ in options.years][-3:]
    readers.LOCALITIES[:] = [None, *localities]
    readers.YEARS[:] = years
    return {"BENCH_LOCALITIES": ",".join(localities), "BENCH_YEARS": ",".join(years)}


def main(argv: list[str] | None = None) -> int:
    """Serve, run locust against it, and report; non-zero if any request failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=25)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--db", type=Path, default=Config().warehouse_path)
    args = parser.parse_args(argv)
    forget_exports(args.db)
    folder = Path(tempfile.mkdtemp(prefix="load-test-"))
    users = folder / "users.csv"
    users.write_text(f"username,role,password_hash\nofficer,officer,{generate_password_hash(PASSWORD)}\n")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "INCLUSION_DB": str(args.db),
        "INCLUSION_USERS": str(users),
        "INCLUSION_SECRET_KEY": secrets.token_hex(32),
        "INCLUSION_WORKERS": str(args.workers),
        "INCLUSION_SIGNIN_LIMIT": "1000 per minute",
        "INCLUSION_EXPORT_LIMIT": "10000 per minute",
        **reader_choices(args.db),
    }
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen(
        [str(gunicorn), "--config", "web/gunicorn.conf.py", "app:server"],
        cwd=ROOT,
        env=env,
        stdout=open(folder / "access.log", "w"),  # noqa: SIM115 - each request's time, to see what a slow one met
        stderr=open(folder / "server.log", "w"),  # noqa: SIM115 - closed with the process
    )
    memory = PeakMemory(server.pid)
    try:
        wait_until_up(url)
        memory.start()
        print(f"Warmed up in {warm(url):.0f} s.")
        prefix = folder / "locust"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(ROOT / "benchmarks" / "locustfile.py"),
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                "5",
                "--run-time",
                f"{args.seconds}s",
                "--host",
                url,
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env=env,  # the readers' localities and years (BENCH_*), read by the locust file
            check=False,
            timeout=args.seconds + 120,
        )
    finally:
        memory.stop()
        server.terminate()
        server.wait(timeout=30)
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv")))  # noqa: SIM115 - read at once
    results = {
        row["Name"]: {
            "requests": int(row["Request Count"]),
            "errors": int(row["Failure Count"]),
            "p50 ms": float(row["50%"]),
            "p95 ms": float(row["95%"]),
        }
        for row in rows
    }
    results["meta"] = {
        "users": args.users,
        "seconds": args.seconds,
        "workers": args.workers,
        "web worker peak MB": round(memory.peak / 2**20),
    }
    out = ROOT / "bench" / "load_test.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"\n25 users for {args.seconds} s against make serve ({args.workers} workers):\n")
    print("| requests | count | errors | p50 ms | p95 ms |\n|---|---:|---:|---:|---:|")
    for name, row in results.items():
        if name != "meta":
            print(f"| {name} | {row['requests']} | {row['errors']} | {row['p50 ms']:.0f} | {row['p95 ms']:.0f} |")
    errors = results.get("Aggregated", {}).get("errors", 1)
    print(f"\nThe largest web worker's peak memory: {results['meta']['web worker peak MB']:,} MB.")
    print(f"\n{'No errors.' if errors == 0 else f'{errors} errors: see {folder}/server.log.'}")
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
