"""The estimate as a text table, with the assumptions, notes and (optionally) each price's source."""

from __future__ import annotations

from cartmon.ops.cost.model import Estimate, Line
from cartmon.ops.cost.prices import (
    PRICES,
    PRICES_CHECKED,
    REGION,
    REGION_NAME,
)


def _money(value: float) -> str:
    return f"${value:,.2f}" if value >= 0.01 or value == 0 else f"${value:.4f}"


def _price(line: Line) -> str:
    """Dollars per unit, or per million units for prices under a hundredth of a cent."""
    price = line.unit_price
    if price >= 0.0001:
        text = f"${price:,.4f}".rstrip("0")
        text = text + "0" * (2 - len(text.split(".")[1]))
    else:
        text = f"${price * 1_000_000:,.4g}/M"
    return text + ("*" if line.assumed else "")


def _quantity(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 or float(value).is_integer() else f"{value:,.3g}"


def format_estimate(result: Estimate, plan_name: str = "plan", sources: bool = False) -> str:
    header = [
        f"Monthly cost estimate of {plan_name}",
        f"Prices: AWS list prices (USD) for {REGION} {REGION_NAME}, checked {PRICES_CHECKED}, from the AWS "
        "pricing pages (aws.amazon.com/<service>/pricing) and the AWS Price List API;",
        "        each price's source: cartmon/ops/cost/prices.py PRICES or --sources. "
        "* = assumed: the US East price, the Mumbai price was not found.",
        "",
    ]
    rows = [("item", "unit price", "per", "quantity", "free", "monthly")]
    for line in result.lines:
        rows.append(
            (
                line.item,
                _price(line),
                line.unit,
                _quantity(line.quantity),
                _quantity(line.free) if line.free else "",
                _money(line.cost),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    aligns = ["<", ">", "<", ">", ">", ">"]
    table = [
        "  ".join(f"{cell:{align}{width}}" for cell, align, width in zip(row, aligns, widths, strict=True))
        for row in rows
    ]
    table.insert(1, "  ".join("-" * w for w in widths))
    total_width = len(table[0])
    totals = [
        "-" * total_width,
        f"{'Total, with the AWS always-free allowances (an account running nothing else)':<{total_width - 12}}"
        f"{_money(result.total):>12}",
        f"{'Total at list prices (the free tier already used elsewhere)':<{total_width - 12}}"
        f"{_money(result.total_without_free_tier):>12}",
    ]
    body = header + table + totals + ["", "Assumptions:"] + [f"  - {text}" for text in result.assumptions]
    body += ["", "Lines:"] + [f"  - {line.item}: {line.note}" for line in result.lines if line.note]
    if result.not_priced:
        body += [
            "",
            "No standing charge (free, or billed in the lines above): " + ", ".join(result.not_priced),
        ]
    if sources:
        body += ["", "Price sources:"] + [
            f"  - {key}: ${entry['usd']:.10g} per {entry['unit']}{' (assumed)' if entry['assumed'] else ''}: "
            f"{entry['source']}"
            for key, entry in PRICES.items()
        ]
    return "\n".join(body)
