"""Command line kept short: python -m dashboard.public writes templates from public files (dashboard.sources.public)."""

import sys

from dashboard.sources.public.cli import main

if __name__ == "__main__":
    sys.exit(main())
