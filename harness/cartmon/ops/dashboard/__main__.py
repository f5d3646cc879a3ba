"""`python -m cartmon.ops.dashboard`: the same as the `cartmon-render-dashboard` console script."""

import sys

from cartmon.ops.dashboard.cli import main

sys.exit(main())
