"""tftest runners for the directories of a module copy (cartmon.project.copy_module)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import tftest


def runners_in(copy: Path) -> Callable[[str], tftest.TerraformTest]:
    """Factory of initialised runners: runners_in(copy)("examples/local")."""

    def make(directory: str) -> tftest.TerraformTest:
        runner = tftest.TerraformTest(directory, basedir=str(copy), binary="terraform")
        runner.setup(upgrade=False)
        return runner

    return make
