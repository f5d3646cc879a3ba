"""Print the hardening figures that `make reliability` collected, as one table.

    reliability_report.py [--figures build/reliability.json] [--markdown]

The figures are written by the tests in tests/reliability (each test counts what it tried and
what went wrong). Exit status 0 when every expected row is there and every count is what it must
be; 1 otherwise, with the reason under the table. Standard library only.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cartmon.project import ROOT

FIGURES = ROOT / "build" / "reliability.json"
# The rows `make reliability` must produce, in the order the table shows them.
EXPECTED_ROWS = [
    "fuzzed_requests",
    "stored_cart_shapes",
    "fault_injection",
    "unexpected_exceptions",
    "size_limits",
    "concurrent_migrations",
    "pii_payloads",
    "jwt_attacks",
    "terraform_misuse",
    "checkov",
    "policies",
    "log_group_encryption",
    "emulator_death",
]
HEADERS = ("what", "tried", "counted", "found", "allowed", "")


def expected_text(check: dict, tried: int) -> str:
    return f"all ({tried})" if check["expected"] == "all" else str(check["expected"])


def check_ok(check: dict, tried: int) -> bool:
    return check["value"] == (tried if check["expected"] == "all" else check["expected"])


def table_lines(rows: list[dict]) -> list[tuple[str, ...]]:
    lines: list[tuple[str, ...]] = []
    for row in rows:
        tried = f"{row['tried']} {row['unit']}"
        checks = row["checks"] or [{"name": "(nothing counted)", "value": "-", "expected": "-"}]
        for index, check in enumerate(checks):
            verdict = "ok" if check_ok(check, row["tried"]) else "FAIL"
            lines.append(
                (
                    row["title"] if index == 0 else "",
                    tried if index == 0 else "",
                    check["name"],
                    str(check["value"]),
                    expected_text(check, row["tried"]),
                    verdict,
                )
            )
        if row["test_outcome"] != "passed":
            lines.append(("", "", f"test {row['test_outcome']}", "", "passed", "FAIL"))
    return lines


def render_text(lines: list[tuple[str, ...]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(HEADERS, *lines, strict=False)]
    numeric = {3, 4}

    def fmt(cells) -> str:
        return "  ".join(
            str(cell).rjust(width) if i in numeric else str(cell).ljust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    out = [fmt(HEADERS), fmt(["-" * width for width in widths])]
    for line in lines:
        if line[0] and len(out) > 2:
            out.append("")
        out.append(fmt(line))
    return "\n".join(out)


def render_markdown(lines: list[tuple[str, ...]]) -> str:
    out = ["| " + " | ".join(HEADERS) + " |", "|---|---|---|--:|--:|---|"]
    out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in line) + " |" for line in lines]
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--figures", type=Path, default=FIGURES, help="figures file (default: %(default)s)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()
    try:
        document = json.loads(args.figures.read_text())
    except FileNotFoundError:
        print(f"no figures at {args.figures}: run `make reliability` first", file=sys.stderr)
        return 1
    except ValueError as error:
        print(f"{args.figures} is not a figures file: {error}", file=sys.stderr)
        return 1

    by_key = {row["key"]: row for row in document.get("rows", [])}
    rows = [by_key[key] for key in EXPECTED_ROWS if key in by_key]
    rows += [row for key, row in by_key.items() if key not in EXPECTED_ROWS]
    lines = table_lines(rows)
    print(
        f"Hardening figures ({args.figures.name}, {document.get('generated_at', '?')}, {document.get('machine', '?')})"
    )
    print()
    print(render_markdown(lines) if args.markdown else render_text(lines))
    print()
    print("Scale:")
    for row in rows:
        took = (
            f"{row['job_seconds']} s in the background"
            if row.get("job_seconds") is not None
            else f"{row['seconds']} s"
        )
        print(f"  {row['title']}: {row['scale']} ({took})")

    problems = [f"missing: {key} (its test did not run)" for key in EXPECTED_ROWS if key not in by_key]
    for row in rows:
        if row["test_outcome"] != "passed":
            problems.append(f"{row['title']}: test {row['test_outcome']} ({row['test']})")
        if row["tried"] == 0:
            problems.append(f"{row['title']}: nothing was tried")
        problems += [
            f"{row['title']}: {check['name']} = {check['value']}, must be {expected_text(check, row['tried'])}"
            for check in row["checks"]
            if not check_ok(check, row["tried"])
        ]
    if problems:
        print()
        print("NOT MET:")
        for problem in problems:
            print(f"  {problem}")
        return 1
    print()
    print(f"All {len(rows)} areas met their figures.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
