"""Generate every module's reference tables from its HCL, in terraform-docs' markdown-table layout.

    docs.py           rewrite the tables between the markers in each module's README.md, and the
                      generated figures in the prose (figures.py)
    docs.py --check   exit 1 when any README.md or generated figure is not what this would write
    docs.py --plan build/plan.json   also the figures read from a plan of examples/local

The modules are the root, each `modules/*` and each `examples/*`. Each README carries
Requirements, Providers, Modules, Resources, Inputs and Outputs between
`<!-- BEGIN_TF_DOCS -->` and `<!-- END_TF_DOCS -->`, as terraform-docs writes them (terraform-docs
itself cannot be installed everywhere this project builds). Types and defaults are shown as
written in the HCL, so the table says what the code says.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from pathlib import Path

import hcl2

from cartmon.dev import figures
from cartmon.project import ROOT, variable_files

BEGIN = "<!-- BEGIN_TF_DOCS -->"
END = "<!-- END_TF_DOCS -->"
REGISTRY_DOCS = "https://registry.terraform.io/providers/{namespace}/{name}/latest/docs/{kind}/{short}"


def module_dirs() -> list[Path]:
    """The root module, then every submodule and example, in a stable order."""
    children = sorted(
        path.parent for pattern in ("modules/*/main.tf", "examples/*/main.tf") for path in ROOT.glob(pattern)
    )
    return [ROOT, *children]


def blocks(source: str, kind: str, labels: int = 1) -> dict[str, str]:
    """Map of block label(s) (joined by '.') to the body text, for top-level `kind "a" ["b"] { ... }` blocks."""
    found: dict[str, str] = {}
    label_pattern = r'\s+"([^"]+)"' * labels
    for match in re.finditer(rf"^{kind}{label_pattern}\s*\{{", source, flags=re.MULTILINE):
        start = match.end()
        found[".".join(match.groups())] = source[start : matching_brace(source, start)]
    return found


def matching_brace(source: str, start: int) -> int:
    depth, index = 1, start
    while index < len(source):
        char = source[index]
        if char == '"':
            index = closing_quote(source, index)
        elif char == "#" or source.startswith("//", index):
            index = source.find("\n", index)
            if index < 0:
                break
        elif char in "{([":
            depth += 1
        elif char in "})]":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    raise ValueError("unbalanced braces")


def attribute_text(body: str, name: str) -> str | None:
    """Source text of a top-level attribute of a block body, whitespace folded."""
    match = re.search(rf"^\s*{name}\s*=\s*", body, flags=re.MULTILINE)
    if not match:
        return None
    start, index = match.end(), match.end()
    depth = 0
    while index < len(body):
        char = body[index]
        if char == '"':
            index = closing_quote(body, index)
        elif char in "{([":
            depth += 1
        elif char in "})]":
            depth -= 1
        elif char == "\n" and depth == 0:
            break
        index += 1
    return " ".join(body[start:index].split())


def closing_quote(text: str, opening: int) -> int:
    index = opening + 1
    while text[index] != '"':
        index += 2 if text[index] == "\\" else 1
    return index


def description_text(raw: object) -> str:
    """A description as written: heredoc markers and HCL string escapes removed, whitespace folded."""
    text = str(raw or "").strip().strip('"')
    heredoc = re.match(r"<<-?(\w+)\s*(.*?)\s*\1$", text, flags=re.S)
    if heredoc:
        text = heredoc.group(2)
    return " ".join(text.replace('\\"', '"').split())


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def anchor(kind: str, name: str) -> str:
    """terraform-docs' named link: `<a name="input_x_y"></a> [x\\_y](#input\\_x\\_y)`."""
    escaped = name.replace("_", "\\_")
    return f'<a name="{kind}_{name}"></a> [{escaped}](#{kind}\\_{escaped})'


def module_source(module_dir: Path) -> str:
    """All .tf files of the module, in name order."""
    return "\n".join(path.read_text() for path in sorted(module_dir.glob("*.tf")))


def requirements(module_dir: Path) -> tuple[str | None, dict[str, dict[str, str]]]:
    """required_version and required_providers (name => source, version) of the module's terraform block."""
    for path in sorted(module_dir.glob("*.tf")):
        for terraform in hcl2.loads(path.read_text()).get("terraform", []):
            providers: dict[str, dict[str, str]] = {}
            for entry in terraform.get("required_providers", []):
                for name, settings in entry.items():
                    if not isinstance(settings, dict):  # python-hcl2's `__is_block__` marker
                        continue
                    providers[name] = {k: str(v).strip('"') for k, v in settings.items()}
            version = terraform.get("required_version")
            return (str(version).strip('"') if version else None), providers
    return None, {}


def table(header: list[str], rows: list[list[str]], empty: str, centered: tuple[str, ...] = ()) -> list[str]:
    if not rows:
        return [empty]
    # terraform-docs' rules: `|------|` (the header word and its two spaces), `|:--------:|` centred.
    rule = (
        "|"
        + "|".join((":" + "-" * len(h) + ":") if h in centered else "-" * (len(h) + 2) for h in header)
        + "|"
    )
    lines = ["| " + " | ".join(header) + " |", rule]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def resource_rows(source: str, providers: dict[str, dict[str, str]]) -> list[list[str]]:
    def link(kind: str, address: str) -> str:
        resource_type = address.split(".", 1)[0]
        provider = resource_type.split("_", 1)[0]
        namespace, name = providers.get(provider, {}).get("source", f"hashicorp/{provider}").split("/")[-2:]
        short = resource_type.split("_", 1)[1]
        url = REGISTRY_DOCS.format(namespace=namespace, name=name, kind=kind, short=short)
        return f"[{address}]({url})"

    managed = [[link("resources", a), "resource"] for a in sorted(blocks(source, "resource", 2))]
    data = [[link("data-sources", a), "data source"] for a in sorted(blocks(source, "data", 2))]
    return managed + data


def render(module_dir: Path) -> str:
    source = module_source(module_dir)
    # variables.tf, or the variables-<concern>.tf files a large module groups its inputs in.
    variables_source = "\n".join(path.read_text() for path in variable_files(module_dir))
    outputs_source = (module_dir / "outputs.tf").read_text() if (module_dir / "outputs.tf").exists() else ""
    parsed_variables = {
        name.strip('"'): body
        for entry in hcl2.loads(variables_source).get("variable", [])
        for name, body in entry.items()
    }
    parsed_outputs = {
        name.strip('"'): body
        for entry in hcl2.loads(outputs_source).get("output", [])
        for name, body in entry.items()
    }
    required_version, providers = requirements(module_dir)

    requirement_rows = [[anchor("requirement", "terraform"), required_version]] if required_version else []
    requirement_rows += [
        [anchor("requirement", name), p.get("version", "n/a")] for name, p in sorted(providers.items())
    ]
    provider_rows = [
        [anchor("provider", name), p.get("version", "n/a")] for name, p in sorted(providers.items())
    ]
    module_rows = []
    for name, body in sorted(blocks(source, "module").items()):
        version = attribute_text(body, "version")
        module_rows.append(
            [
                anchor("module", name),
                (attribute_text(body, "source") or "").strip('"'),
                (version or "n/a").strip('"'),
            ]
        )

    input_rows = []
    for name, body in sorted(blocks(variables_source, "variable").items()):
        description = description_text(parsed_variables[name].get("description"))
        type_text = attribute_text(body, "type") or "any"
        default = attribute_text(body, "default")
        sensitive = parsed_variables[name].get("sensitive") is True
        default_cell = (
            "n/a"
            if default is None
            else ("(sensitive)" if sensitive and default != "null" else f"`{default}`")
        )
        input_rows.append(
            [
                anchor("input", name),
                cell(description),
                f"`{cell(type_text)}`",
                cell(default_cell),
                "no" if default is not None else "yes",
            ]
        )
    output_rows = [
        [anchor("output", name), cell(description_text(parsed_outputs[name].get("description")))]
        for name in sorted(blocks(outputs_source, "output"))
    ]

    sections = [
        ("Requirements", table(["Name", "Version"], requirement_rows, "No requirements.")),
        ("Providers", table(["Name", "Version"], provider_rows, "No providers.")),
        ("Modules", table(["Name", "Source", "Version"], module_rows, "No modules.")),
        ("Resources", table(["Name", "Type"], resource_rows(source, providers), "No resources.")),
        (
            "Inputs",
            table(
                ["Name", "Description", "Type", "Default", "Required"],
                input_rows,
                "No inputs.",
                ("Required",),
            ),
        ),
        ("Outputs", table(["Name", "Description"], output_rows, "No outputs.")),
    ]
    lines: list[str] = []
    for title, body_lines in sections:
        lines += [f"## {title}", "", *body_lines, ""]
    return "\n".join(lines).rstrip("\n")


def updated_readme(readme: str, tables: str, name: str = "README.md") -> str:
    if BEGIN not in readme or END not in readme:
        raise SystemExit(f"{name} lacks the {BEGIN} / {END} markers")
    head, rest = readme.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{tables}\n{END}{tail}"


def stale(module_dir: Path) -> tuple[Path, str, str]:
    """The README, its text, and what this tool would write."""
    readme = module_dir / "README.md"
    current = readme.read_text() if readme.exists() else ""
    relative = readme.relative_to(ROOT).as_posix()
    return readme, current, updated_readme(current, render(module_dir), relative)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="report stale tables, change nothing")
    parser.add_argument(
        "--plan",
        type=Path,
        help="`terraform show -json` of examples/local: also fill the blocks read from it",
    )
    args = parser.parse_args(argv)
    failures = []
    changes = [stale(module_dir) for module_dir in module_dirs()]
    # A document can hold both tables and figures (README.md): render its figures over its new tables.
    tables = {readme: wanted for readme, _, wanted in changes}
    sources = figures.Sources(plan=json.loads(args.plan.read_text()) if args.plan else None)
    for path, current, wanted in figures.stale_documents(sources, tables):
        if path in tables:
            changes = [(r, c, wanted if r == path else w) for r, c, w in changes]
        else:
            changes.append((path, current, wanted))
    for readme, current, wanted in changes:
        relative = readme.relative_to(ROOT).as_posix()
        if current == wanted:
            continue
        if args.check:
            sys.stdout.writelines(
                difflib.unified_diff(current.splitlines(True), wanted.splitlines(True), relative, "generated")
            )
            failures.append(relative)
        else:
            readme.write_text(wanted)
            print(f"updated {relative}")
    if failures:
        print(f"stale tables or figures in {', '.join(failures)}: run `make docs`", file=sys.stderr)
        return 1
    if args.check:
        print(f"tables up to date in {len(module_dirs())} READMEs, generated figures up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
