"""Write the project's own Terraform CLI configuration.

Providers come from a filesystem mirror when one is configured (TF_PROVIDER_MIRROR) or found,
and from the registry otherwise. Machines without registry access carry such a mirror; a user
online needs none.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

REGISTRY_DIR = "registry.terraform.io"


def implied_mirror_roots() -> list[Path]:
    """Terraform's own implied local mirror directories (see its CLI configuration docs)."""
    roots = [Path.home() / ".terraform.d" / "plugins"]
    data_dirs = os.environ.get("XDG_DATA_DIRS", "/usr/local/share:/usr/share").split(":")
    roots += [Path(d) / "terraform" / "plugins" for d in data_dirs if d]
    return roots


def search_filesystem() -> list[Path]:
    """Shallow search for a folder that holds registry.terraform.io/hashicorp/aws."""
    try:
        out = subprocess.run(
            ["find", "/", "-xdev", "-maxdepth", "4", "-type", "d", "-name", REGISTRY_DIR],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [Path(line).parent for line in out.splitlines() if line]


def holds_aws_provider(root: Path) -> bool:
    return (root / REGISTRY_DIR / "hashicorp" / "aws").is_dir()


def discover_mirror() -> Path | None:
    configured = os.environ.get("TF_PROVIDER_MIRROR", "").strip()
    if configured:
        root = Path(configured)
        if not holds_aws_provider(root):
            sys.exit(f"TF_PROVIDER_MIRROR={configured} holds no {REGISTRY_DIR}/hashicorp/aws")
        return root
    for root in implied_mirror_roots() + search_filesystem():
        if holds_aws_provider(root):
            return root
    return None


def render(mirror: Path | None) -> str:
    if mirror is None:
        return "# No provider mirror found: providers come from the registry.\n"
    return (
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f'    path    = "{mirror}"\n'
        '    include = ["registry.terraform.io/*/*"]\n'
        "  }\n"
        "  direct {\n"
        '    exclude = ["registry.terraform.io/*/*"]\n'
        "  }\n"
        "}\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("output", type=Path)
    args = parser.parse_args()
    mirror = discover_mirror()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    content = render(mirror)
    if not args.output.exists() or args.output.read_text() != content:
        args.output.write_text(content)
    print(f"terraform providers: {'mirror ' + str(mirror) if mirror else 'registry'}", file=sys.stderr)


if __name__ == "__main__":
    main()
