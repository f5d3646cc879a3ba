"""`python -m cartmon.dev.bench`: the same as the `cartmon-bench` console script."""

import sys

from cartmon.dev.bench.cli import main

sys.exit(main())
