"""python -m dashboard.sources.public: the same command as python -m dashboard.public."""

import sys

from dashboard.sources.public.cli import main

sys.exit(main())
