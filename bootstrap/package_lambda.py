"""Build the Lambda deployment zip, byte for byte the same on every rebuild.

    .venv/dev/bin/python bootstrap/package_lambda.py [build/cart_migration.zip] [--wheelhouse DIR]

The zip holds `cart_migration/` and the packages of requirements/lambda.txt, installed by pip as
Python 3.13 / manylinux x86_64 wheels whatever machine builds it. Entries are sorted and get a
fixed timestamp and fixed permissions; caches and console scripts are left out. Prints the
zip's sha256 (what Terraform's source_code_hash is compared with).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import stat
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_SOURCE = ROOT / "lambda_src" / "cart_migration"
REQUIREMENTS = ROOT / "requirements" / "lambda.txt"
DEFAULT_OUTPUT = ROOT / "build" / "cart_migration.zip"

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry
FILE_MODE = stat.S_IFREG | 0o644
EXCLUDED_DIRECTORIES = {"__pycache__", "bin"}  # bin/ holds console scripts with this machine's paths
EXCLUDED_SUFFIXES = {".pyc", ".pyo"}


def install_requirements(requirements: Path, target: Path, wheelhouse: Path | None = None) -> None:
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--no-compile",
        "--disable-pip-version-check",
        "--target",
        str(target),
        "--only-binary=:all:",
        "--platform",
        "manylinux_2_28_x86_64",
        "--platform",
        "manylinux2014_x86_64",
        "--python-version",
        "3.13",
        "--implementation",
        "cp",
        "--requirement",
        str(requirements),
    ]
    if wheelhouse is not None:
        command += ["--no-index", "--find-links", str(wheelhouse)]
    subprocess.run(command, check=True)


def collect(directory: Path, prefix: str = "") -> dict[str, Path]:
    """Files under ``directory`` by archive name, without caches or scripts."""
    files: dict[str, Path] = {}
    for path in directory.rglob("*"):
        relative = path.relative_to(directory)
        if not path.is_file() or path.suffix in EXCLUDED_SUFFIXES:
            continue
        if any(part in EXCLUDED_DIRECTORIES for part in relative.parts[:-1]):
            continue
        files[prefix + relative.as_posix()] = path
    return files


def write_zip(files: dict[str, Path], output: Path) -> str:
    """Write a deterministic zip of ``files`` and return its sha256."""
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    with zipfile.ZipFile(partial, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.external_attr = FILE_MODE << 16
            info.create_system = 3  # Unix, so that the permissions above are honoured
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name].read_bytes(), compresslevel=9)
    os.replace(partial, output)
    return hashlib.sha256(output.read_bytes()).hexdigest()


def build(output: Path, wheelhouse: Path | None = None) -> str:
    with tempfile.TemporaryDirectory(prefix="cart-migration-deps-") as site:
        install_requirements(REQUIREMENTS, Path(site), wheelhouse)
        files = collect(Path(site))
        package = collect(PACKAGE_SOURCE, prefix=f"{PACKAGE_SOURCE.name}/")
        clashes = set(files) & set(package)
        if clashes:
            raise SystemExit(f"a dependency ships files inside {PACKAGE_SOURCE.name}/: {sorted(clashes)[:3]}")
        return write_zip({**files, **package}, output)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", type=Path, default=DEFAULT_OUTPUT, help="zip to write")
    parser.add_argument("--wheelhouse", type=Path, help="install from these wheels only (offline builds)")
    arguments = parser.parse_args(argv)
    digest = build(arguments.output.resolve(), arguments.wheelhouse)
    print(f"{digest}  {arguments.output}")


if __name__ == "__main__":
    main()
