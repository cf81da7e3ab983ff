"""python -m dashboard.sources.demo: the same command as python -m dashboard.demo."""

import sys

from dashboard.sources.demo.cli import main

sys.exit(main())
