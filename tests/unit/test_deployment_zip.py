"""The zip `make package` builds: rebuilt, it is the same bytes; unpacked as Lambda unpacks it, it
runs on its own (no site-packages), RS256 included."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import zipfile

import pytest

from cartmon.project import LAMBDA_PACKAGE, ROOT


@pytest.fixture(scope="module")
def built_zip():
    if not LAMBDA_PACKAGE.is_file():
        pytest.fail(f"{LAMBDA_PACKAGE} is missing: build it with `make package`", pytrace=False)
    return LAMBDA_PACKAGE


def test_a_rebuild_gives_the_same_bytes(built_zip, tmp_path):
    rebuilt = tmp_path / "again.zip"
    subprocess.run(
        [sys.executable, str(ROOT / "bootstrap" / "package_lambda.py"), str(rebuilt)],
        check=True,
        capture_output=True,
    )
    assert hashlib.sha256(rebuilt.read_bytes()).digest() == hashlib.sha256(built_zip.read_bytes()).digest()


def test_the_zip_holds_the_code_the_catalogue_and_its_dependencies(built_zip):
    names = set(zipfile.ZipFile(built_zip).namelist())
    assert {"cart_migration/handler.py", "cart_migration/event_catalogue.json"} <= names
    for package in ("aws_lambda_powertools/", "jwt/", "cryptography/"):
        assert any(name.startswith(package) for name in names), package
    assert not any("__pycache__" in name or name.endswith(".pyc") for name in names)


def test_the_unpacked_zip_verifies_an_rs256_token_without_site_packages(built_zip, tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from cartmon.local_lambda import make_token

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
