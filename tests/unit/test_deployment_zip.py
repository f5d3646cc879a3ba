"""The zip `make package` builds: rebuilt, it is the same bytes; unpacked as Lambda unpacks it, it
runs on its own (no site-packages, no runtime SDK), RS256 included, from the bytecode it ships, on
the boto3 and botocore the tests run on; its native code is built for the Lambda architecture it
was packaged for."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
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
_spec = importlib.util.spec_from_file_location("package_lambda", ROOT / "bootstrap" / "package_lambda.py")
assert _spec is not None and _spec.loader is not None, "bootstrap/package_lambda.py is missing"
package_lambda = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(package_lambda)
# The one place the SDK's versions are pinned: the dev venv and the zip both install from it.
SDK_PINS = ROOT / "requirements" / "aws-sdk.txt"
# A region and credentials for creating clients from the unpacked zip (nothing is called).
OFFLINE_AWS = {
    "AWS_DEFAULT_REGION": "ap-south-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "PATH": "/usr/bin:/bin",
}


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


def unpacked(zip_path: Path, folder: Path) -> Path:
    """The zip as Lambda unpacks it into /var/task."""
    zipfile.ZipFile(zip_path).extractall(folder)
    return folder


def run_in_task(task: Path, probe: str, *args: str, **environment: str) -> subprocess.CompletedProcess:
    """``probe`` with only the unpacked zip and the standard library on the path (-S: no
    site-packages, so neither the test venv's boto3 nor any other can stand in for the zip's)."""
    return subprocess.run(
        [sys.executable, "-S", "-c", probe, *args],
        env={**OFFLINE_AWS, "PYTHONPATH": str(task), **environment},
        capture_output=True,
        text=True,
    )


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


def test_the_zip_leaves_out_what_nothing_imports(built_zip):
    names = zipfile.ZipFile(built_zip).namelist()
    tops = {PurePosixPath(name).parts[0] for name in names}
    assert "bin" not in tops
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


def test_the_runtime_loads_the_shipped_bytecode_without_reading_the_sources(built_zip, tmp_path):
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
    try:
        result = run_in_task(task, probe)
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
    # Universal wheels (six, python-dateutil) list a py2 tag beside their py3 one.
    assert all(
        tag.split("-")[0] in {"cp313", "cp311", "cp39", "cp38", "py3", "py2", "abi3"} or "abi3" in tag
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


def test_the_unpacked_hs256_zip_authenticates_with_nothing_beside_it(hs256_zips, tmp_path):
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
    result = run_in_task(
        tmp_path / "task",
        probe,
        make_token("user-hs256", secret),
        JWT_SECRET=secret,
        CARTS_TABLE="t",
        RATE_LIMIT_TABLE="r",
        LOG_HASH_KEY="zip-test-log-hash-key",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.splitlines()[-1]) == {"customer_id": "user-hs256", "cryptography": False}


# ------------------------------------------------------------------ the SDK the function runs on


def sdk_pins() -> dict[str, str]:
    pins = {}
    for line in SDK_PINS.read_text().splitlines():
        requirement = line.split("#", 1)[0].strip()
        if requirement:
            name, version = requirement.split("==")
            pins[name.lower()] = version
    return pins


SDK_VERSIONS_PROBE = """
import json, sys
import boto3, botocore, s3transfer, urllib3
print(json.dumps({
    "boto3": boto3.__version__, "botocore": botocore.__version__,
    "s3transfer": s3transfer.__version__, "urllib3": urllib3.__version__,
    "files": [module.__file__ for module in (boto3, botocore, s3transfer, urllib3)],
}))
"""


@pytest.mark.parametrize("algorithm", ["RS256", "HS256"])
def test_the_zip_runs_on_the_boto3_and_botocore_the_tests_run_on(algorithm, built_zip, hs256_zips, tmp_path):
    import boto3
    import botocore
    import s3transfer
    import urllib3

    zip_path = built_zip if algorithm == "RS256" else hs256_zips[0]
    with zipfile.ZipFile(zip_path) as archive:
        shipped = package_lambda.shipped_versions(archive)
    tested = {
        "boto3": boto3.__version__,
        "botocore": botocore.__version__,
        "s3transfer": s3transfer.__version__,
        "urllib3": urllib3.__version__,
    }
    # What the zip carries is what this test process imports, and both are the one pin.
    assert {name: shipped.get(name) for name in tested} == tested
    assert {name: sdk_pins()[name] for name in tested} == tested
    assert {name: version for name, version in shipped.items() if name in sdk_pins()} == sdk_pins()

    # And the zip's copy is the one the unpacked function imports.
    task = unpacked(zip_path, tmp_path / "task")
    result = run_in_task(task, SDK_VERSIONS_PROBE)
    assert result.returncode == 0, result.stderr[-2000:]
    imported = json.loads(result.stdout)
    assert {name: imported[name] for name in tested} == tested
    assert all(Path(file).is_relative_to(task) for file in imported["files"]), imported["files"]


def test_the_hs256_zip_still_leaves_out_pyjwt_and_cryptography(hs256_zips):
    with zipfile.ZipFile(hs256_zips[0]) as archive:
        shipped = package_lambda.shipped_versions(archive)
    assert {"boto3", "botocore", "aws-lambda-powertools"} <= set(shipped)
    assert not {"pyjwt", "cryptography", "cffi"} & set(shipped), sorted(shipped)


def services_the_function_calls() -> set[str]:
    """Every AWS service the function's code creates a client of, read from its source."""
    sources = (ROOT / "lambda_src" / "cart_migration").rglob("*.py")
    text = "\n".join(path.read_text() for path in sources)
    assert "boto3.resource(" not in text, "a boto3 resource needs boto3/data and more models: keep them"
    services = set(re.findall(r"""\b_?(?:sized_)?client\(\s*["']([a-z0-9-]+)["']""", text))
    # Powertools utilities create clients of their own: Idempotency's persistence one of DynamoDB,
    # Parameters' SSMProvider one of SSM; any other utility may call another service.
    utilities = set(re.findall(r"aws_lambda_powertools\.utilities\.([a-z_]+)", text))
    assert utilities <= {"idempotency", "parameters"}, f"Powertools utilities in use: {sorted(utilities)}"
    uses = {"idempotency": "dynamodb", "parameters": "ssm"}
    return services | {uses[utility] for utility in utilities}


def test_the_zip_keeps_the_model_of_every_service_the_function_calls():
    called = services_the_function_calls()
    assert called >= {"dynamodb", "logs", "ssm"}, "the scan must see the clients of clients.py"
    assert called <= set(package_lambda.SDK_SERVICES), (
        f"the function calls {sorted(called - set(package_lambda.SDK_SERVICES))}: add it to "
        "SDK_SERVICES in bootstrap/package_lambda.py, or its client fails with UnknownServiceError"
    )


CLIENTS_PROBE = """
import json, sys
import boto3, botocore.exceptions
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer
from aws_lambda_powertools.utilities.parameters import SSMProvider
loaded = {}
for service in sys.argv[1:]:
    loaded[service] = len(boto3.client(service).meta.service_model.operation_names)
DynamoDBPersistenceLayer(table_name="idempotency")
SSMProvider()
try:
    boto3.client("s3")
    dropped = False
except botocore.exceptions.UnknownServiceError:
    dropped = True
print(json.dumps({"operations": loaded, "s3 model dropped": dropped}))
"""


def test_the_unpacked_zip_creates_a_client_of_every_kept_service(hs256_zips, tmp_path):
    task = unpacked(hs256_zips[0], tmp_path / "task")
    result = run_in_task(task, CLIENTS_PROBE, *package_lambda.SDK_SERVICES)
    assert result.returncode == 0, result.stderr[-2000:]
    outcome = json.loads(result.stdout)
    assert set(outcome["operations"]) == set(package_lambda.SDK_SERVICES)
    assert all(count > 0 for count in outcome["operations"].values()), outcome
    assert outcome["s3 model dropped"], "the models of services the function does not call are left out"


def test_the_zip_stays_well_inside_lambdas_size_quotas(built_zip):
    # 50 MB zipped (direct upload) and 250 MB unzipped, layers included:
    # https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
    with zipfile.ZipFile(built_zip) as archive:
        unzipped = sum(info.file_size for info in archive.infolist())
    assert built_zip.stat().st_size < 15 * 2**20, "the RS256 zip was 10 MB with boto3 in it"
    assert unzipped < 50 * 2**20, "about 31 MB unzipped"
