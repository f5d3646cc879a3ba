"""The zip writer of bootstrap/package_lambda.py (pip itself is exercised by `make package`)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("package_lambda", ROOT / "bootstrap" / "package_lambda.py")
assert _spec is not None and _spec.loader is not None
package_lambda = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(package_lambda)


def make_tree(root: Path, mtime: int, mode: int) -> None:
    for relative, text in {
        "pkg/__init__.py": "",
        "pkg/data.json": "{}",
        "pkg/__pycache__/x.pyc": "junk",
        "bin/script": "#!/somewhere/python",
        "pkg/mod.pyc": "junk",
        "top.py": "x = 1",
    }.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        os.chmod(path, mode)
        os.utime(path, (mtime, mtime))


def test_the_same_files_give_the_same_bytes_whatever_their_times_and_modes(tmp_path):
    make_tree(tmp_path / "a", mtime=1_600_000_000, mode=0o600)
    make_tree(tmp_path / "b", mtime=1_700_000_000, mode=0o755)

    first = package_lambda.write_zip(package_lambda.collect(tmp_path / "a"), tmp_path / "a.zip")
    second = package_lambda.write_zip(package_lambda.collect(tmp_path / "b"), tmp_path / "b.zip")

    assert first == second
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()


def test_entries_are_sorted_cache_free_and_fixed(tmp_path):
    make_tree(tmp_path / "tree", mtime=1_700_000_000, mode=0o755)

    package_lambda.write_zip(package_lambda.collect(tmp_path / "tree"), tmp_path / "out.zip")

    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        infos = archive.infolist()
    assert [info.filename for info in infos] == ["pkg/__init__.py", "pkg/data.json", "top.py"]
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {info.external_attr >> 16 for info in infos} == {0o100644}


def test_the_package_imports_from_a_zip_with_its_catalogue(tmp_path):
    source = ROOT / "lambda_src" / "cart_migration"
    package_lambda.write_zip(
        package_lambda.collect(source, prefix="cart_migration/"), tmp_path / "lambda.zip"
    )

    # -S: no site-packages, so only the zip can provide cart_migration.
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]); "
        "from cart_migration import catalogue; print(len(catalogue.EVENTS))"
    )
    completed = subprocess.run(
        [sys.executable, "-S", "-c", probe, str(tmp_path / "lambda.zip")],
        capture_output=True,
        text=True,
        check=True,
    )

    assert completed.stdout.strip() == str(
        len(json.loads((source / "event_catalogue.json").read_text())["events"])
    )


def test_bytecode_lives_where_the_import_system_looks_for_it():
    assert package_lambda.bytecode_name("jwt/api_jwt.py") == "jwt/__pycache__/api_jwt.cpython-313.pyc"
    assert (
        package_lambda.bytecode_name("typing_extensions.py")
        == "__pycache__/typing_extensions.cpython-313.pyc"
    )


def test_stubs_tests_and_build_time_packages_are_not_shipped():
    assert package_lambda.shipped("jwt/api_jwt.py")
    assert package_lambda.shipped("cryptography-50.0.2.dist-info/licenses/LICENSE")
    for name in (
        "jwt/api_jwt.pyi",
        "pkg/tests/test_x.py",
        "pycparser/c_ast.py",
    ):
        assert not package_lambda.shipped(name), name


def test_the_sdk_is_shipped_with_the_models_of_the_services_the_function_calls_only():
    for name in (
        "boto3/session.py",
        "botocore/session.py",
        "jmespath/parser.py",
        "urllib3/connectionpool.py",
        "botocore/data/endpoints.json",
        "botocore/data/partitions.json",
        "botocore/data/_retry.json",
        "botocore/data/sdk-default-configuration.json",
        "botocore/data/dynamodb/2012-08-10/service-2.json.gz",
        "botocore/data/logs/2014-03-28/paginators-1.json",
        "botocore/data/ssm/2014-11-06/endpoint-rule-set-1.json.gz",
        "botocore/data/sts/2011-06-15/service-2.json.gz",
        "boto3/data/dynamodb/2012-08-10/resources-1.json",
    ):
        assert package_lambda.shipped(name), name
        assert package_lambda.shipped(name, "HS256"), name
    for name in (
        "botocore/data/s3/2006-03-01/service-2.json.gz",
        "botocore/data/ec2/2016-11-15/service-2.json.gz",
        "botocore/data/dynamodbstreams/2012-08-10/service-2.json.gz",
    ):
        assert not package_lambda.shipped(name), name


def test_bytecode_is_the_same_on_every_compilation(tmp_path):
    # Frozen sets are marshalled in hash order: the compiler runs with a fixed seed.
    source = tmp_path / "mod.py"
    source.write_text("def f(x):\n    return x in {'alpha', 'beta', 'gamma', 'delta', 'epsilon'}\n")
    outputs = []
    for seed in ("1", "2"):
        built = package_lambda.compile_bytecode({"mod.py": source}, tmp_path / f"out{seed}")
        outputs.append(built["__pycache__/mod.cpython-313.pyc"].read_bytes())
    assert outputs[0] == outputs[1]


def test_an_unknown_architecture_is_refused(capsys):
    with pytest.raises(SystemExit):
        package_lambda.main(["out.zip", "--arch", "ppc64le"])
    assert "invalid choice" in capsys.readouterr().err


def test_an_hs256_zip_leaves_out_what_only_rs256_imports():
    for name in (
        "jwt/api_jwt.py",
        "pyjwt-2.15.1.dist-info/METADATA",
        "cryptography/hazmat/bindings/_rust.abi3.so",
        "cryptography-50.0.2.dist-info/licenses/LICENSE",
        "_cffi_backend.cpython-313-x86_64-linux-gnu.so",
    ):
        assert package_lambda.shipped(name, "RS256"), name
        assert not package_lambda.shipped(name, "HS256"), name
    for name in ("cart_migration/auth.py", "aws_lambda_powertools/utilities/idempotency/base.py"):
        assert package_lambda.shipped(name, "HS256"), name


def test_the_idempotency_utility_is_shipped():
    """idempotency.py imports it when a request carries an Idempotency-Key."""
    assert package_lambda.shipped("aws_lambda_powertools/utilities/idempotency/persistence/dynamodb.py")
