"""Write the release artefacts to dist/: a Lambda zip per architecture and JWT algorithm, their
SHA-256, a manifest.

    .venv/dev/bin/python bootstrap/release.py [dist]      (make release)

For each architecture (x86_64, arm64) bootstrap/package_lambda.py builds, reproducibly and from one
install, the two zips `make package` builds: `cart_migration-<version>-<arch>.zip` (RS256: PyJWT
and cryptography inside; it verifies HS256 too) and `cart_migration-<version>-<arch>-hs256.zip`
(HS256 only, without them). Beside each goes `<zip>.sha256` (the format of `sha256sum -c`), and
one `manifest.json` names the module version, the sha256 of the event catalogue the zips carry
(what the module's plan-time check compares with its own catalogue), the boto3 and botocore the
zips carry, and per zip its architecture, JWT algorithm, file, sha256 (hex and base64, the latter
what Terraform's source_code_hash takes) and size. The module reads the manifest: given this
folder as lambda_package_path it picks the zip of its architecture and jwt_algorithm, and given
one zip it refuses a zip of another architecture or algorithm. Nothing in dist/ depends on the
time or the machine: the same ref gives the same bytes.

The version is the `module_version` of the root main.tf, the one the README's `?ref=` and
CHANGELOG.md name. Standard library only, like the packager it drives.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import importlib.util
import json
import re
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGER = ROOT / "bootstrap" / "package_lambda.py"
CATALOGUE = ROOT / "lambda_src" / "cart_migration" / "event_catalogue.json"
CATALOGUE_IN_ZIP = "cart_migration/event_catalogue.json"
ARCHITECTURES = ("x86_64", "arm64")
# The module's jwt_algorithm values, each with the zip that holds what it needs (and no more).
JWT_ALGORITHMS = ("RS256", "HS256")
MODULE_NAME = "terraform-aws-cart-migration-monitoring"
# The SDK the zips carry, named in the manifest (pinned in requirements/aws-sdk.txt).
SDK = ("boto3", "botocore")

_spec = importlib.util.spec_from_file_location("package_lambda", PACKAGER)
package_lambda = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(package_lambda)


def module_version() -> str:
    match = re.search(r'^\s*module_version\s*=\s*"([^"]+)"', (ROOT / "main.tf").read_text(), re.MULTILINE)
    if not match:
        raise SystemExit('main.tf has no `module_version = "..."` local: the release needs a version')
    return match.group(1)


def sha256_of(data: bytes) -> tuple[str, str]:
    digest = hashlib.sha256(data)
    return digest.hexdigest(), base64.b64encode(digest.digest()).decode()


def package_key(architecture: str, algorithm: str) -> str:
    """The zip's key in the manifest and the end of its file name: `make package`'s suffixes.

    The RS256 zip keeps the bare architecture, the key (and file name) of every zip of releases
    before the HS256 zips: a reader of `packages.x86_64` still finds a zip that serves both.
    """
    return architecture if algorithm == "RS256" else f"{architecture}-{algorithm.lower()}"


def package_file(version: str, architecture: str, algorithm: str) -> str:
    return f"cart_migration-{version}-{package_key(architecture, algorithm)}.zip"


def release(dist: Path) -> dict:
    version = module_version()
    catalogue_sha256 = sha256_of(CATALOGUE.read_bytes())[0]
    packages: dict[str, dict] = {}
    sdk_versions: set[tuple[tuple[str, str], ...]] = set()
    dist.mkdir(parents=True, exist_ok=True)
    for stale in [*dist.glob("cart_migration-*.zip*"), dist / "manifest.json"]:
        stale.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="cart-migration-release-") as scratch:
        for architecture in ARCHITECTURES:
            built = {
                algorithm: Path(scratch) / package_file(version, architecture, algorithm)
                for algorithm in JWT_ALGORITHMS
            }
            package_lambda.build_variants(built, architecture)
            for algorithm, path in built.items():
                data = path.read_bytes()
                with zipfile.ZipFile(path) as archive:
                    carried = sha256_of(archive.read(CATALOGUE_IN_ZIP))[0]
                    shipped = package_lambda.shipped_versions(archive)
                if carried != catalogue_sha256:
                    raise SystemExit(
                        f"{path.name} carries another event catalogue than {CATALOGUE.relative_to(ROOT)}"
                    )
                sdk_versions.add(tuple((name, shipped[name]) for name in SDK))
                hex_digest, base64_digest = sha256_of(data)
                (dist / path.name).write_bytes(data)
                (dist / f"{path.name}.sha256").write_text(f"{hex_digest}  {path.name}\n")
                packages[package_key(architecture, algorithm)] = {
                    "architecture": architecture,
                    "jwt_algorithm": algorithm,
                    "file": path.name,
                    "sha256": hex_digest,
                    "sha256_base64": base64_digest,
                    "size": len(data),
                }
    if len(sdk_versions) != 1:
        raise SystemExit(f"the zips carry different SDK versions: {sorted(sdk_versions)}")
    manifest = {
        "module": MODULE_NAME,
        "version": version,
        "handler": "cart_migration.handler.lambda_handler",
        "runtime": "python3.13",
        "catalogue": CATALOGUE.relative_to(ROOT).as_posix(),
        "catalogue_sha256": catalogue_sha256,
        "sdk": dict(sdk_versions.pop()),
        "packages": packages,
    }
    (dist / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dist", nargs="?", type=Path, default=ROOT / "dist", help="folder to write")
    arguments = parser.parse_args(argv)
    manifest = release(arguments.dist.resolve())
    print(f"release {manifest['version']}, catalogue sha256 {manifest['catalogue_sha256']}")
    for package in manifest["packages"].values():
        print(
            f"  {package['sha256']}  {arguments.dist / package['file']}  "
            f"({package['architecture']}, {package['jwt_algorithm']})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
