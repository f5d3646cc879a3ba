"""Build the Lambda deployment zip, byte for byte the same on every rebuild.

    .venv/dev/bin/python bootstrap/package_lambda.py OUTPUT [--arch x86_64|arm64] [--wheelhouse DIR]
        [--algorithm RS256|HS256]

The zip holds `cart_migration/` and the packages of requirements/lambda.txt, installed by pip as
Python 3.13 manylinux wheels of the chosen architecture (x86_64 by default, arm64 = aarch64)
whatever machine builds it: `cryptography` is native, so a zip of the wrong architecture fails at
init. What nothing imports is left out (type stubs, tests, console scripts, caches). With
``--algorithm HS256`` it also leaves out PyJWT and cryptography, which only RS256 verification
imports.

boto3: the zip carries boto3, botocore and their dependencies at the versions pinned in
requirements/aws-sdk.txt, the file the dev venv (and so every test) installs them from too: the
function runs on the SDK the tests ran on, not on whatever the Lambda runtime bundles that month.
AWS recommends exactly this ("Control the dependencies in your function's deployment package",
https://docs.aws.amazon.com/lambda/latest/dg/best-practices.html, and "Runtime dependencies in
Python", https://docs.aws.amazon.com/lambda/latest/dg/python-package.html); /var/task comes before
the runtime's own libraries on the import path, so the zip's copy is the one imported. Of
botocore's service models only those of the services the function calls are kept (SDK_SERVICES):
the other 400-odd are read only when a client of that service is created, which the function never
does, and would add about 16 MB to every zip (an HS256 zip of 21 MB instead of 5 MB; both far
below Lambda's 50 MB zipped and 250 MB unzipped quotas,
https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). The deployment zip
test (tests/unit/test_deployment_zip.py) creates a client of every kept service from the
unpacked zip and checks that the function's code names no other service.

Every module is shipped with its bytecode (unchecked-hash .pyc for Python 3.13): Lambda's
/var/task is read-only, so without it every cold start compiles every module it imports. Entries
are sorted and get a fixed timestamp and fixed permissions. Prints the zip's sha256 (what
Terraform's source_code_hash is compared with).
"""

from __future__ import annotations

import argparse
import email
import hashlib
import os
import stat
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_SOURCE = ROOT / "lambda_src" / "cart_migration"
REQUIREMENTS = ROOT / "requirements" / "lambda.txt"
DEFAULT_OUTPUT = ROOT / "build" / "cart_migration.zip"

# The Lambda runtime's Python: the bytecode's magic number must be this version's.
RUNTIME_PYTHON = (3, 13)
BYTECODE_TAG = f"cpython-{RUNTIME_PYTHON[0]}{RUNTIME_PYTHON[1]}"
# Where Lambda unpacks the zip: the file names recorded in the bytecode (tracebacks).
TASK_ROOT = "/var/task"

# Lambda architecture -> manylinux platform tags pip may pick (Amazon Linux 2023 has glibc 2.34).
PLATFORMS = {
    "x86_64": ("manylinux_2_28_x86_64", "manylinux2014_x86_64"),
    "arm64": ("manylinux_2_28_aarch64", "manylinux2014_aarch64"),
}

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry
FILE_MODE = stat.S_IFREG | 0o644
# bin/ holds console scripts with this machine's paths; tests are never imported at run time.
EXCLUDED_DIRECTORIES = {"__pycache__", "bin", "tests", "test"}
EXCLUDED_SUFFIXES = {".pyc", ".pyo", ".pyi"}  # stale caches; type stubs serve type checkers only
# The services whose botocore models the zip keeps: the ones the function creates clients of
# (cart_migration/clients.py; Powertools' Idempotency persistence and Parameters use the same
# dynamodb and ssm), and sts, which botocore's credential providers call for an assumed role or web
# identity (some 50 KB; Lambda itself hands the function credentials in its environment).
SDK_SERVICES = ("dynamodb", "logs", "ssm", "sts")
SERVICE_MODELS = "botocore/data/"
# What nothing imports at run time (tests/unit/test_deployment_zip.py imports the handler, the
# secrets module and RS256 verification from the zip to prove it): cffi's Python half and its C
# parser serve building bindings (cryptography needs only the compiled _cffi_backend), and the
# parts of Powertools that neither cart_migration nor the parts of Powertools it uses import.
UNUSED_PACKAGES = (
    "cffi/",
    "pycparser/",
    "pycparser-",  # its .dist-info
) + tuple(
    f"aws_lambda_powertools/{part}/"
    for part in (
        "utilities/batch",
        "utilities/data_masking",
        "utilities/feature_flags",
        "utilities/kafka",
        "utilities/parser",
        "utilities/streaming",
        "utilities/validation",
    )
)


def unused_service_model(name: str) -> bool:
    """Whether ``name`` is a botocore service model of a service the function never calls.

    botocore/data/<service>/<api version>/...; the files directly in botocore/data/ (endpoints,
    partitions, retry and default configuration) serve every client and are kept.
    """
    if not name.startswith(SERVICE_MODELS):
        return False
    parts = PurePosixPath(name.removeprefix(SERVICE_MODELS)).parts
    return len(parts) > 1 and parts[0] not in SDK_SERVICES


def install_requirements(requirements: Path, target: Path, arch: str, wheelhouse: Path | None = None) -> None:
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
        *[argument for platform in PLATFORMS[arch] for argument in ("--platform", platform)],
        "--python-version",
        ".".join(map(str, RUNTIME_PYTHON)),
        "--implementation",
        "cp",
        "--requirement",
        str(requirements),
    ]
    if wheelhouse is not None:
        command += ["--no-index", "--find-links", str(wheelhouse)]
    subprocess.run(command, check=True)


# What only RS256 verification imports (auth.py, jwks.py): PyJWT and cryptography with its compiled
# cffi backend. An HS256 zip (--algorithm HS256) leaves them out: it verifies with the standard
# library, and cryptography is most of the zip's size.
RS256_ONLY = ("jwt/", "pyjwt-", "cryptography/", "cryptography-", "_cffi_backend", "cffi-")
ALGORITHMS = ("RS256", "HS256")


def shipped(name: str, algorithm: str = "RS256") -> bool:
    """Whether the archive name ``name`` belongs in the zip of ``algorithm`` (RS256: both)."""
    if algorithm == "HS256" and name.lower().startswith(RS256_ONLY):
        return False
    path = PurePosixPath(name)
    if path.suffix in EXCLUDED_SUFFIXES:
        return False
    if any(part in EXCLUDED_DIRECTORIES for part in path.parts[:-1]):
        return False
    return not name.startswith(UNUSED_PACKAGES) and not unused_service_model(name)


def collect(directory: Path, prefix: str = "", algorithm: str = "RS256") -> dict[str, Path]:
    """Files under ``directory`` by archive name, without caches, scripts, stubs or tests."""
    files: dict[str, Path] = {}
    for path in directory.rglob("*"):
        if path.is_file():
            name = prefix + path.relative_to(directory).as_posix()
            if shipped(name, algorithm):
                files[name] = path
    return files


def bytecode_name(source_name: str) -> str:
    """Archive name of the cached bytecode of ``source_name`` (where the import system looks)."""
    path = PurePosixPath(source_name)
    return str(path.parent / "__pycache__" / f"{path.stem}.{BYTECODE_TAG}.pyc").removeprefix("./")


# Runs in a fresh interpreter: isolated (-I), without site, with a fixed hash seed, so that the
# marshalled constants (frozensets are written in hash order) come out the same on every build.
_COMPILER = """
import py_compile, sys
for line in sys.stdin:
    source, target, recorded = line.rstrip("\\n").split("\\t")
    py_compile.compile(source, cfile=target, dfile=recorded, doraise=True,
                       invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
"""


def compile_bytecode(files: dict[str, Path], workdir: Path) -> dict[str, Path]:
    """Unchecked-hash bytecode of every .py in ``files``, by archive name.

    Unchecked: the runtime loads it without reading the source's timestamp (the zip's are all
    1980) or hashing the source; the zip is only ever replaced whole, so they cannot drift.
    """
    if sys.version_info[:2] != RUNTIME_PYTHON:
        raise SystemExit(
            f"bytecode must be compiled by Python {'.'.join(map(str, RUNTIME_PYTHON))} (the Lambda runtime), "
            f"not {sys.version.split()[0]}: run this script with the dev venv's python"
        )
    jobs: dict[str, Path] = {}
    lines = []
    for name in sorted(files):
        if name.endswith(".py"):
            target = workdir / bytecode_name(name)
            jobs[bytecode_name(name)] = target
            lines.append(f"{files[name]}\t{target}\t{TASK_ROOT}/{name}\n")
    subprocess.run(
        [sys.executable, "-I", "-S", "-c", _COMPILER],
        input="".join(lines),
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "0", "PATH": os.environ.get("PATH", "")},
    )
    return jobs


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


def build_variants(
    outputs: dict[str, Path], arch: str = "x86_64", wheelhouse: Path | None = None
) -> dict[str, str]:
    """Write the zip of each algorithm in ``outputs`` from one install; their sha256 by algorithm.

    The RS256 zip's files are a superset of the HS256 zip's: everything is compiled once and each
    zip takes its part, so an HS256 zip has the same bytes whether it is built alone or beside
    the RS256 one (`make package JWT_PACKAGE=HS256`, `make release`).
    """
    unknown = set(outputs) - set(ALGORITHMS)
    if unknown:
        raise SystemExit(f"unknown algorithm(s) {sorted(unknown)}: choose from {', '.join(ALGORITHMS)}")
    with tempfile.TemporaryDirectory(prefix="cart-migration-build-") as scratch:
        site = Path(scratch) / "site"
        install_requirements(REQUIREMENTS, site, arch, wheelhouse)
        files = collect(site)
        package = collect(PACKAGE_SOURCE, prefix=f"{PACKAGE_SOURCE.name}/")
        clashes = set(files) & set(package)
        if clashes:
            raise SystemExit(f"a dependency ships files inside {PACKAGE_SOURCE.name}/: {sorted(clashes)[:3]}")
        sources = {**files, **package}
        bytecode = compile_bytecode(sources, Path(scratch) / "bytecode")
        digests = {}
        for algorithm, output in outputs.items():
            kept = {name: path for name, path in sources.items() if shipped(name, algorithm)}
            compiled = {
                bytecode_name(name): bytecode[bytecode_name(name)] for name in kept if name.endswith(".py")
            }
            digests[algorithm] = write_zip({**kept, **compiled}, output)
        return digests


def build(
    output: Path, arch: str = "x86_64", wheelhouse: Path | None = None, algorithm: str = "RS256"
) -> str:
    return build_variants({algorithm: output}, arch, wheelhouse)[algorithm]


def shipped_versions(archive: zipfile.ZipFile) -> dict[str, str]:
    """Version of every distribution in the zip, by its normalised name (from its .dist-info)."""
    versions = {}
    for name in archive.namelist():
        path = PurePosixPath(name)
        if len(path.parts) == 2 and path.parts[0].endswith(".dist-info") and path.name == "METADATA":
            metadata = email.message_from_bytes(archive.read(name))  # the core metadata format
            versions[metadata["Name"].lower().replace("_", "-")] = metadata["Version"]
    return versions


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", type=Path, default=DEFAULT_OUTPUT, help="zip to write")
    parser.add_argument(
        "--arch",
        choices=sorted(PLATFORMS),
        default="x86_64",
        help="Lambda architecture whose wheels to install (default x86_64)",
    )
    parser.add_argument("--wheelhouse", type=Path, help="install from these wheels only (offline builds)")
    parser.add_argument(
        "--algorithm",
        choices=ALGORITHMS,
        default="RS256",
        help="token algorithm the zip must verify: RS256 (default) ships PyJWT and cryptography and "
        "serves HS256 too; HS256 leaves them out",
    )
    arguments = parser.parse_args(argv)
    digest = build(arguments.output.resolve(), arguments.arch, arguments.wheelhouse, arguments.algorithm)
    print(f"{digest}  {arguments.output}")


if __name__ == "__main__":
    main()
