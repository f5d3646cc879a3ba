"""The zip `make package` builds: rebuilt, it is the same bytes; unpacked as Lambda unpacks it, it
runs on its own (no site-packages), RS256 included, from the bytecode it ships; its native code
is built for the Lambda architecture it was packaged for."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path, PurePosixPath

import pytest

from cartmon.project import LAMBDA_PACKAGE, ROOT

# ELF e_machine of each Lambda architecture, and the manylinux platform suffix of its wheels.
ELF_MACHINE = {"x86_64": 62, "arm64": 183}
WHEEL_PLATFORM = {"x86_64": "_x86_64", "arm64": "_aarch64"}
# What the Lambda Python runtime provides beside the zip (boto3 and its dependencies).
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")


@pytest.fixture(scope="module")
def built_zip():
    if not LAMBDA_PACKAGE.is_file():
        pytest.fail(f"{LAMBDA_PACKAGE} is missing: build it with `make package`", pytrace=False)
    return LAMBDA_PACKAGE


@pytest.fixture(scope="module")
def zips_by_arch(built_zip, tmp_path_factory):
    """`make package` builds x86_64; arm64 is built here the way `make package ARCH=arm64` does."""
    arm64 = tmp_path_factory.mktemp("arm64") / "cart_migration-arm64.zip"
    subprocess.run(
        [sys.executable, str(ROOT / "bootstrap" / "package_lambda.py"), str(arm64), "--arch", "arm64"],
        check=True,
        capture_output=True,
    )
    return {"x86_64": built_zip, "arm64": arm64}


@pytest.fixture(scope="module")
def runtime_dir(tmp_path_factory) -> Path:
    """Stand-in for the runtime's own packages: boto3 and its dependencies, nothing else."""
    directory = tmp_path_factory.mktemp("runtime")
    for name in RUNTIME_PACKAGES:
        spec = importlib.util.find_spec(name)
        source = Path(spec.origin)
        source = source.parent if source.name == "__init__.py" else source
        (directory / source.name).symlink_to(source)
    return directory


def test_a_rebuild_gives_the_same_bytes(built_zip, tmp_path):
    rebuilt = tmp_path / "again.zip"
    subprocess.run(
        [sys.executable, str(ROOT / "bootstrap" / "package_lambda.py"), str(rebuilt)],
        check=True,
        capture_output=True,
    )
    assert hashlib.sha256(rebuilt.read_bytes()).digest() == hashlib.sha256(built_zip.read_bytes()).digest()


def test_an_arm64_rebuild_gives_the_same_bytes_too(zips_by_arch, tmp_path):
    rebuilt = tmp_path / "again-arm64.zip"
    subprocess.run(
        [sys.executable, str(ROOT / "bootstrap" / "package_lambda.py"), str(rebuilt), "--arch", "arm64"],
        check=True,
        capture_output=True,
    )
    assert rebuilt.read_bytes() == zips_by_arch["arm64"].read_bytes()
    assert rebuilt.read_bytes() != zips_by_arch["x86_64"].read_bytes(), "the architectures differ"


def test_the_zip_holds_the_code_the_catalogue_and_its_dependencies(built_zip):
    names = set(zipfile.ZipFile(built_zip).namelist())
    assert {"cart_migration/handler.py", "cart_migration/event_catalogue.json"} <= names
    for package in ("aws_lambda_powertools/", "jwt/", "cryptography/"):
        assert any(name.startswith(package) for name in names), package
    assert "cart_migration/secrets.py" in names


def test_the_zip_leaves_out_what_the_runtime_provides_or_nothing_imports(built_zip):
    names = zipfile.ZipFile(built_zip).namelist()
    tops = {PurePosixPath(name).parts[0] for name in names}
    assert not tops & {"boto3", "botocore", "jmespath", "s3transfer", "urllib3", "dateutil", "bin"}
    assert not any(name.endswith(".pyi") for name in names), "type stubs"
    assert not any({"tests", "test"} & set(PurePosixPath(name).parts[:-1]) for name in names)
    assert not any(name.startswith(("pycparser/", "cffi/")) for name in names)
    # Imported when a request carries an Idempotency-Key (idempotency.py).
    assert "aws_lambda_powertools/utilities/idempotency/persistence/dynamodb.py" in names


def test_every_module_ships_unchecked_bytecode_for_the_runtime_python(built_zip):
    archive = zipfile.ZipFile(built_zip)
    names = set(archive.namelist())
    sources = [name for name in names if name.endswith(".py")]
    for source in sources:
        path = PurePosixPath(source)
        cached = str(path.parent / "__pycache__" / f"{path.stem}.cpython-313.pyc").removeprefix("./")
        assert cached in names, f"{source} has no bytecode"
        header = archive.read(cached)[:16]
        assert header[:4] == importlib.util.MAGIC_NUMBER, f"{cached} is not Python 3.13 bytecode"
        (flags,) = struct.unpack("<I", header[4:8])
        assert flags == 0b01, f"{cached}: hash-based and unchecked (flags 1), not {flags}"
    assert len([n for n in names if n.endswith(".pyc")]) == len(sources), "no stale or orphan bytecode"


def test_the_runtime_loads_the_shipped_bytecode_without_reading_the_sources(built_zip, tmp_path, runtime_dir):
    task = tmp_path / "task"
    zipfile.ZipFile(built_zip).extractall(task)
    # Unchecked bytecode is used as is: a source broken after packaging is never read.
    for module in ("handler.py", "secrets.py", "config.py"):
        (task / "cart_migration" / module).write_text("raise SystemExit('the source was compiled')\n")
    os.chmod(task, 0o555)  # /var/task is read-only: nothing may need writing
    probe = (
        "import cart_migration.handler, cart_migration.secrets, cart_migration.config, sys\n"
        "from aws_lambda_powertools.utilities.parameters import ssm\n"
        "print(cart_migration.handler.lambda_handler.__name__)\n"
    )
    environment = {
        "PYTHONPATH": f"{task}:{runtime_dir}",
        "AWS_DEFAULT_REGION": "ap-south-1",
        "PATH": "/usr/bin:/bin",
    }
    try:
        result = subprocess.run(
            [sys.executable, "-S", "-c", probe], env=environment, capture_output=True, text=True
        )
    finally:
        os.chmod(task, 0o755)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["lambda_handler"]


@pytest.mark.parametrize("arch", sorted(ELF_MACHINE))
def test_native_code_and_wheel_tags_match_the_architecture(zips_by_arch, arch):
    archive = zipfile.ZipFile(zips_by_arch[arch])
    names = archive.namelist()
    shared_objects = [name for name in names if name.endswith(".so") or ".so." in name]
    assert any(name.startswith("cryptography/") for name in shared_objects), "cryptography is native"
    for name in shared_objects:
        header = archive.read(name)[:20]
        assert header[:4] == b"\x7fELF", name
        (machine,) = struct.unpack("<H", header[18:20])
        assert machine == ELF_MACHINE[arch], f"{name} is built for ELF machine {machine}, not {arch}"
    wheel_tags = [
        line.split(":", 1)[1].strip()
        for name in names
        if name.endswith(".dist-info/WHEEL")
        for line in archive.read(name).decode().splitlines()
        if line.startswith("Tag:")
    ]
    platform_tags = [tag.rsplit("-", 1)[1] for tag in wheel_tags if not tag.endswith("-any")]
    assert platform_tags, "at least one platform wheel (cryptography)"
    assert all(tag.startswith("manylinux") and tag.endswith(WHEEL_PLATFORM[arch]) for tag in platform_tags), (
        platform_tags
    )
    assert all(
        tag.split("-")[0] in {"cp313", "cp311", "cp39", "cp38", "py3", "abi3"} or "abi3" in tag
        for tag in wheel_tags
    )


def test_the_unpacked_zip_verifies_an_rs256_token_without_site_packages(built_zip, tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from cartmon.local.tokens import make_token

    zipfile.ZipFile(built_zip).extractall(tmp_path / "task")
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    token = make_token("user-rs256", private_key, algorithm="RS256")
    probe = (
        "import os, sys, json\n"
        "from cart_migration.auth import authenticate\n"
        "from cart_migration.config import Settings\n"
        "identity = authenticate('Bearer ' + sys.argv[1], Settings.from_env())\n"
        "print(json.dumps({'customer_id': identity.customer_id}))\n"
    )
    environment = {
        "PYTHONPATH": str(tmp_path / "task"),
        "JWT_ALGORITHM": "RS256",
        "JWT_PUBLIC_KEY": public_pem,
        "CARTS_TABLE": "t",
        "RATE_LIMIT_TABLE": "r",
        "LOG_HASH_KEY": "zip-test-log-hash-key",
        "AWS_DEFAULT_REGION": "ap-south-1",
        "PATH": "/usr/bin:/bin",
    }
    # -S: no site-packages, only what the zip carries (and the standard library), as in the Lambda runtime.
    result = subprocess.run(
        [sys.executable, "-S", "-c", probe, token], env=environment, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.splitlines()[-1]) == {"customer_id": "user-rs256"}


@pytest.fixture(scope="module")
def hs256_zips(tmp_path_factory) -> list[Path]:
    """The zip `make package JWT_PACKAGE=HS256` builds, built twice."""
    zips = []
    for build in ("first", "second"):
        output = tmp_path_factory.mktemp(f"hs256-{build}") / "cart_migration-hs256.zip"
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "bootstrap" / "package_lambda.py"),
                str(output),
                "--algorithm",
                "HS256",
            ],
            check=True,
            capture_output=True,
        )
        zips.append(output)
    return zips


def test_an_hs256_zip_is_reproducible_and_ships_no_cryptography(hs256_zips, built_zip):
    first, second = hs256_zips
    names = zipfile.ZipFile(first).namelist()

    assert first.read_bytes() == second.read_bytes()
    assert not [name for name in names if name.startswith(("cryptography", "jwt/", "_cffi_backend"))]
    assert first.stat().st_size < built_zip.stat().st_size / 2


def test_the_unpacked_hs256_zip_serves_a_request_with_the_runtime_boto3_only(
    hs256_zips, tmp_path, runtime_dir
):
    from cartmon.local.tokens import make_token

    zipfile.ZipFile(hs256_zips[0]).extractall(tmp_path / "task")
    secret = "zip-test-jwt-secret-long-enough-0123456789"
    probe = (
        "import sys, json\n"
        "from cart_migration.auth import authenticate\n"
        "from cart_migration.config import Settings\n"
        "import cart_migration.handler, cart_migration.idempotency\n"
        "identity = authenticate('Bearer ' + sys.argv[1], Settings.from_env())\n"
        "print(json.dumps({'customer_id': identity.customer_id, 'cryptography': 'cryptography' in sys.modules}))\n"
    )
    environment = {
        "PYTHONPATH": f"{tmp_path / 'task'}:{runtime_dir}",
        "JWT_SECRET": secret,
        "CARTS_TABLE": "t",
        "RATE_LIMIT_TABLE": "r",
        "LOG_HASH_KEY": "zip-test-log-hash-key",
        "AWS_DEFAULT_REGION": "ap-south-1",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-S", "-c", probe, make_token("user-hs256", secret)],
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.splitlines()[-1]) == {"customer_id": "user-hs256", "cryptography": False}
