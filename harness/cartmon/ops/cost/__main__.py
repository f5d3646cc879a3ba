"""`python -m cartmon.ops.cost`: the same as the `cartmon-cost` console script."""

import sys

from cartmon.ops.cost.cli import main

sys.exit(main())
