"""Where things are, for every suite."""

import os
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The environment before any fixture pointed AWS clients at the emulator (for opt-in real-AWS checks).
ENVIRONMENT_AT_START = dict(os.environ)
REGION = "ap-south-1"
LAMBDA_PACKAGE = ROOT / "build" / "cart_migration.zip"
CATALOGUE_PATH = ROOT / "lambda_src" / "cart_migration" / "event_catalogue.json"
# What a copy of the module needs: Terraform runs on copies, never in the working tree, so tests
# do not fight over state with each other or with a user's `make apply`.
MODULE_FILES = (
    "main.tf",
    "variables.tf",
    "outputs.tf",
    "versions.tf",
    "locals.tf",
    "modules",
    "examples",
    "docs",
)


def local_example_vars() -> dict[str, str]:
    """Variables the tests and the demo give examples/local."""
    return {"lambda_package_path": str(LAMBDA_PACKAGE)}


def copy_module(destination: Path) -> Path:
    ignore = shutil.ignore_patterns(
        ".terraform", ".terraform.lock.hcl", "*.tfstate", "*.tfstate.*", "*.tfplan"
    )
    for item in MODULE_FILES:
        source = ROOT / item
        if source.is_dir():
            shutil.copytree(source, destination / item, ignore=ignore)
        elif source.is_file():
            shutil.copy2(source, destination / item)
    (destination / CATALOGUE_PATH.relative_to(ROOT)).parent.mkdir(parents=True)
    shutil.copy2(CATALOGUE_PATH, destination / CATALOGUE_PATH.relative_to(ROOT))
    return destination
