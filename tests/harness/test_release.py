"""`make release`: the zips per architecture and JWT algorithm, their SHA-256 and the manifest, the
same bytes twice; the manifest is what the module reads to pick or refuse a zip."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import subprocess
import sys
import zipfile

import pytest

from cartmon.project import CATALOGUE_PATH, LAMBDA_PACKAGE, ROOT

SCRIPT = ROOT / "bootstrap" / "release.py"
# A release folder the offline terraform tests plan with (stand-in zips, a manifest of the real shape).
FIXTURE_RELEASE = ROOT / "tests" / "terraform" / "fixtures" / "release"
_spec = importlib.util.spec_from_file_location("release", SCRIPT)
assert _spec is not None and _spec.loader is not None
release = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(release)


@pytest.fixture(scope="module")
def two_releases(tmp_path_factory) -> tuple:
    folders = [tmp_path_factory.mktemp(f"dist{n}") for n in (1, 2)]
    for folder in folders:
        subprocess.run([sys.executable, str(SCRIPT), str(folder)], check=True, capture_output=True)
    return tuple(folders)


def test_two_releases_are_the_same_bytes(two_releases):
    first, second = two_releases
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    assert "manifest.json" in names and any(n.endswith(".zip") for n in names)
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_the_manifest_names_version_catalogue_sdk_and_a_zip_per_architecture_and_algorithm(two_releases):
    import boto3
    import botocore

    dist = two_releases[0]
    manifest = json.loads((dist / "manifest.json").read_text())
    assert manifest["version"] == release.module_version()
    assert manifest["catalogue_sha256"] == hashlib.sha256(CATALOGUE_PATH.read_bytes()).hexdigest()
    assert manifest["sdk"] == {"boto3": boto3.__version__, "botocore": botocore.__version__}
    packages = manifest["packages"]
    assert {(p["architecture"], p["jwt_algorithm"]) for p in packages.values()} == {
        (architecture, algorithm) for architecture in ("x86_64", "arm64") for algorithm in ("RS256", "HS256")
    }
    # The RS256 zips keep the keys and file names of earlier releases; the HS256 ones get
    # `make package`'s suffix.
    assert set(packages) == {"x86_64", "arm64", "x86_64-hs256", "arm64-hs256"}
    for key, package in packages.items():
        data = (dist / package["file"]).read_bytes()
        assert package["file"] == f"cart_migration-{manifest['version']}-{key}.zip"
        assert package["sha256"] == hashlib.sha256(data).hexdigest()
        assert package["sha256_base64"] == base64.b64encode(hashlib.sha256(data).digest()).decode()
        assert package["size"] == len(data)
        assert (dist / f"{package['file']}.sha256").read_text() == f"{package['sha256']}  {package['file']}\n"
        with zipfile.ZipFile(dist / package["file"]) as archive:
            names = archive.namelist()
            carried = archive.read("cart_migration/event_catalogue.json")
            shipped = release.package_lambda.shipped_versions(archive)
        assert "cart_migration/handler.py" in names
        assert hashlib.sha256(carried).hexdigest() == manifest["catalogue_sha256"]
        assert {name: shipped[name] for name in ("boto3", "botocore")} == manifest["sdk"]
        rs256_parts = {"pyjwt", "cryptography"} & set(shipped)
        if package["jwt_algorithm"] == "HS256":
            assert not rs256_parts, f"{package['file']} must leave out PyJWT and cryptography"
            assert not any(name.startswith(("jwt/", "cryptography/")) for name in names)
        else:
            assert rs256_parts == {"pyjwt", "cryptography"}, package["file"]


def test_the_release_zip_is_the_zip_make_package_builds(two_releases):
    # build/cart_migration.zip is `make package` at this checkout (x86_64, RS256).
    if not LAMBDA_PACKAGE.is_file():
        pytest.fail(f"{LAMBDA_PACKAGE} is missing: build it with `make package`", pytrace=False)
    manifest = json.loads((two_releases[0] / "manifest.json").read_text())
    assert manifest["packages"]["x86_64"]["sha256"] == hashlib.sha256(LAMBDA_PACKAGE.read_bytes()).hexdigest()


def test_the_terraform_test_fixture_manifest_has_the_shape_release_writes(two_releases):
    """tests/terraform's release fixture stands in for a release: it must keep the real shape."""
    written = json.loads((two_releases[0] / "manifest.json").read_text())
    fixture = json.loads((FIXTURE_RELEASE / "manifest.json").read_text())
    assert set(fixture) == set(written) - {"catalogue_sha256"}, "the fixture leaves the catalogue check out"
    assert set(fixture["packages"]) == set(written["packages"])
    for key, package in fixture["packages"].items():
        assert set(package) == set(written["packages"][key])
        assert {k: package[k] for k in ("architecture", "jwt_algorithm")} == {
            k: written["packages"][key][k] for k in ("architecture", "jwt_algorithm")
        }
        assert package["file"] == release.package_file(
            fixture["version"], package["architecture"], package["jwt_algorithm"]
        )
        assert (FIXTURE_RELEASE / package["file"]).is_file()


def test_sha256sum_accepts_the_checksum_files(two_releases):
    dist = two_releases[0]
    sums = sorted(p.name for p in dist.glob("*.sha256"))
    result = subprocess.run(["sha256sum", "-c", *sums], cwd=dist, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_second_release_removes_stale_zips(tmp_path):
    stale = tmp_path / "cart_migration-0.0.1-x86_64.zip"
    stale.write_bytes(b"old")
    subprocess.run([sys.executable, str(SCRIPT), str(tmp_path)], check=True, capture_output=True)
    assert not stale.exists()
