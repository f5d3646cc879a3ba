"""Generate the README's input and output tables from the root module's HCL.

    docs.py           rewrite the tables between the markers in README.md
    docs.py --check   exit 1 when README.md is not what this would write

Types and defaults are shown as written in the HCL, so the table says what the code says.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from pathlib import Path

import hcl2

from cartmon.project import ROOT

README = ROOT / "README.md"
BEGIN = "<!-- BEGIN_TF_DOCS -->"
END = "<!-- END_TF_DOCS -->"


def blocks(source: str, kind: str) -> dict[str, str]:
    """Map of block label to the block's body text, for top-level `kind "label" { ... }` blocks."""
    found: dict[str, str] = {}
    for match in re.finditer(rf'^{kind}\s+"([^"]+)"\s*\{{', source, flags=re.MULTILINE):
        start = match.end()
        found[match.group(1)] = source[start : matching_brace(source, start)]
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


def render(module_dir: Path) -> str:
    variables_source = (module_dir / "variables.tf").read_text()
    outputs_source = (module_dir / "outputs.tf").read_text()
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

    lines = [
        "### Inputs",
        "",
        "| Name | Description | Type | Default | Required |",
        "|---|---|---|---|:---:|",
    ]
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
        lines.append(
            f"| `{name}` | {cell(description)} | `{cell(type_text)}` | {cell(default_cell)} | {'yes' if default is None else 'no'} |"
        )
    lines += ["", "### Outputs", "", "| Name | Description |", "|---|---|"]
    for name in sorted(blocks(outputs_source, "output")):
        description = description_text(parsed_outputs[name].get("description"))
        lines.append(f"| `{name}` | {cell(description)} |")
    return "\n".join(lines)


def updated_readme(readme: str, tables: str) -> str:
    if BEGIN not in readme or END not in readme:
        raise SystemExit(f"README.md lacks the {BEGIN} / {END} markers")
    head, rest = readme.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{tables}\n{END}{tail}"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    current = README.read_text()
    wanted = updated_readme(current, render(ROOT))
    if args.check:
        if current != wanted:
            sys.stdout.writelines(
                difflib.unified_diff(
                    current.splitlines(True), wanted.splitlines(True), "README.md", "generated"
                )
            )
            print("README.md tables are stale: run `make docs`", file=sys.stderr)
            return 1
        print("README.md tables are up to date")
        return 0
    README.write_text(wanted)
    return 0


if __name__ == "__main__":
    sys.exit(main())
