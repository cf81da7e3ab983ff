"""The score of `make mutation`: the share of mutmut's mutants of the protection's arithmetic that its tests kill.

Usage: python -m tests.mutation_score mutants/mutmut-cicd-stats.json [--at-least 0.9]
Exits 1 when the share is under the bar; the surviving mutants are listed by `mutmut results`, and those judged
harmless are listed with their reasons in docs/disclosure.md.
"""

from __future__ import annotations

import argparse
import json
import sys


def main(argv: list[str] | None = None) -> int:
    """Print the share of mutants killed (of those that ran to a verdict) and whether it reaches the bar."""
    parser = argparse.ArgumentParser(prog="python -m tests.mutation_score", description=__doc__.splitlines()[0])
    parser.add_argument("stats", help="the JSON file `mutmut export-cicd-stats` writes")
    parser.add_argument("--at-least", type=float, default=0.9, help="the share of mutants the tests must kill")
    args = parser.parse_args(argv)
    with open(args.stats) as handle:
        stats = json.load(handle)
    # Timeouts and segfaults end a mutant's run as surely as a failing test: they count as killed.
    killed = stats["killed"] + stats.get("timeout", 0) + stats.get("segfault", 0)
    # A mutant no test runs survives by definition.
    judged = killed + stats["survived"] + stats.get("suspicious", 0) + stats.get("no_tests", 0)
    share = killed / judged if judged else 0.0
    print(
        f"Mutants killed: {killed} of {judged} ({share:.1%}); survived {stats['survived']}, "
        f"suspicious {stats.get('suspicious', 0)}, run by no test {stats.get('no_tests', 0)}"
    )
    if share < args.at_least:
        print(f"Under the bar of {args.at_least:.0%}: see `mutmut results` for the survivors.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
