"""Write the release artefacts to dist/: the Lambda zip per architecture, its SHA-256, a manifest.

    .venv/dev/bin/python bootstrap/release.py [dist]      (make release)

For each architecture (x86_64, arm64) bootstrap/package_lambda.py builds
`cart_migration-<version>-<arch>.zip` reproducibly; beside it go `<zip>.sha256` (the format of
`sha256sum -c`) and one `manifest.json` naming the module version, the sha256 of the event
catalogue the zips carry (what the module's plan-time check compares with its own catalogue), and
per architecture the file, its sha256 (hex and base64, the latter what Terraform's
source_code_hash takes) and size. Nothing in dist/ depends on the time or the machine: the same
ref gives the same bytes.

The version is the `module_version` of the root main.tf, the one the README's `?ref=` and
CHANGELOG.md name. Standard library only, like the packager it drives.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGER = ROOT / "bootstrap" / "package_lambda.py"
CATALOGUE = ROOT / "lambda_src" / "cart_migration" / "event_catalogue.json"
CATALOGUE_IN_ZIP = "cart_migration/event_catalogue.json"
ARCHITECTURES = ("x86_64", "arm64")
MODULE_NAME = "terraform-aws-cart-migration-monitoring"


def module_version() -> str:
    match = re.search(r'^\s*module_version\s*=\s*"([^"]+)"', (ROOT / "main.tf").read_text(), re.MULTILINE)
    if not match:
        raise SystemExit('main.tf has no `module_version = "..."` local: the release needs a version')
    return match.group(1)


def sha256_of(data: bytes) -> tuple[str, str]:
    digest = hashlib.sha256(data)
    return digest.hexdigest(), base64.b64encode(digest.digest()).decode()


def build_package(output: Path, architecture: str) -> None:
    command = [sys.executable, str(PACKAGER), str(output), "--arch", architecture]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def release(dist: Path) -> dict:
    version = module_version()
    catalogue_sha256 = sha256_of(CATALOGUE.read_bytes())[0]
    packages: dict[str, dict] = {}
    dist.mkdir(parents=True, exist_ok=True)
    for stale in [*dist.glob("cart_migration-*.zip*"), dist / "manifest.json"]:
        stale.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="cart-migration-release-") as scratch:
        for architecture in ARCHITECTURES:
            name = f"cart_migration-{version}-{architecture}.zip"
            built = Path(scratch) / name
            build_package(built, architecture)
            data = built.read_bytes()
            with zipfile.ZipFile(built) as archive:
                carried = sha256_of(archive.read(CATALOGUE_IN_ZIP))[0]
            if carried != catalogue_sha256:
                raise SystemExit(f"{name} carries another event catalogue than {CATALOGUE.relative_to(ROOT)}")
            hex_digest, base64_digest = sha256_of(data)
            (dist / name).write_bytes(data)
            (dist / f"{name}.sha256").write_text(f"{hex_digest}  {name}\n")
            packages[architecture] = {
                "file": name,
                "sha256": hex_digest,
                "sha256_base64": base64_digest,
                "size": len(data),
            }
    manifest = {
        "module": MODULE_NAME,
        "version": version,
        "handler": "cart_migration.handler.lambda_handler",
        "runtime": "python3.13",
        "catalogue": CATALOGUE.relative_to(ROOT).as_posix(),
        "catalogue_sha256": catalogue_sha256,
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
    for architecture, package in manifest["packages"].items():
        print(f"  {package['sha256']}  {arguments.dist / package['file']}  ({architecture})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
