"""Command line kept short: python -m dashboard.demo builds the synthetic demo borough (dashboard.sources.demo)."""

import sys

from dashboard.sources.demo.cli import main

if __name__ == "__main__":
    sys.exit(main())
