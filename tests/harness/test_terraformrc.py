"""The project's Terraform CLI config: a configured or found provider mirror, else the registry."""

from __future__ import annotations

import subprocess
import sys

from cartmon.project import ROOT

SCRIPT = ROOT / "bootstrap" / "terraformrc.py"


def write_config(tmp_path, **env):
    output = tmp_path / "terraformrc"
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(output)],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **env},
    )
    return result, output


def test_a_configured_mirror_is_used(tmp_path):
    mirror = tmp_path / "mirror"
    (mirror / "registry.terraform.io" / "hashicorp" / "aws").mkdir(parents=True)
    result, output = write_config(tmp_path, TF_PROVIDER_MIRROR=str(mirror))
    assert result.returncode == 0
    assert f'path    = "{mirror}"' in output.read_text()
    assert "direct {" in output.read_text()


def test_a_configured_folder_without_the_provider_is_refused(tmp_path):
    result, _ = write_config(tmp_path, TF_PROVIDER_MIRROR=str(tmp_path / "empty"))
    assert result.returncode != 0
    assert "holds no registry.terraform.io/hashicorp/aws" in result.stderr


def test_a_mirror_in_terraforms_implied_folder_is_found(tmp_path):
    (tmp_path / ".terraform.d" / "plugins" / "registry.terraform.io" / "hashicorp" / "aws").mkdir(
        parents=True
    )
    result, output = write_config(tmp_path)
    assert result.returncode == 0
    assert f'path    = "{tmp_path / ".terraform.d" / "plugins"}"' in output.read_text()
