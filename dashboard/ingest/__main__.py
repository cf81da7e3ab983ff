"""python -m dashboard.ingest: load, dry-run, list versions or roll back (see dashboard.ingest.cli)."""

import sys

from dashboard.ingest.cli import main

sys.exit(main())
