"""The weekly review as Markdown and as a self-contained HTML page.

The Markdown is the review itself (it reads well in a terminal, a pull request or a wiki); the
HTML page is the same content with tables and colours for a browser.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from cartmon.ops.review.collect import (
    FLAPPING_ENTRIES,
    SUCCESS_RATE_ACCEPTABLE,
    SUCCESS_RATE_TARGET,
    AlarmHistory,
    CostSummary,
    Latency,
    QueryResult,
    SuccessRate,
    Topic,
    state_changes,
)

# Rows of the "other state changes" list (deploy-time INSUFFICIENT_DATA -> OK, burn-rate windows);
# the pages' and tickets' changes are never cut.
OTHER_CHANGES_SHOWN = 50
WHO_HEARS = {"page": "page", "ticket": "ticket", "nobody": "nobody (input of a composite)"}


@dataclass
class Review:
    source: str  # "emulator at http://..." or "AWS"
    start: float
    end: float
    alarms: list[AlarmHistory]
    failure_reasons: QueryResult
    rate_limited: QueryResult
    latency: list[Latency]
    success: SuccessRate
    cost: CostSummary
    topics: list[Topic]
    notes: list[str]


def _when(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    hours, minutes = divmod(seconds // 60, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} ms"


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: Sequence[Sequence[object]]) -> list[str]:
    if not rows:
        return ["(none)"]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return lines + ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]


def _query_section(title: str, result: QueryResult, limit: int = 10) -> list[str]:
    lines = [f"## {title}", "", f"Saved query `{result.name}`."]
    if result.note:
        return [*lines, "", result.note, ""]
    columns = list(dict.fromkeys(c for row in result.rows for c in row))
    rows = [[row.get(c, "") for c in columns] for row in result.rows[:limit]]
    return [*lines, "", *(_table(columns, rows) if rows else ["No rows in the window."]), ""]


def _state_changes_section(alarms: list[AlarmHistory]) -> list[str]:
    changes = state_changes(alarms, OTHER_CHANGES_SHOWN)
    lines = [
        "## State changes of pages and tickets",
        "",
        "Every change into or out of ALARM of an alarm that notifies someone, oldest first.",
        "",
    ]
    lines += [
        f"- {_when(c.moment)} **{c.notifies}** {c.alarm}: {c.old} -> {c.new}" for c in changes.notified
    ] or ["None in the window: nobody was paged or ticketed."]
    lines += ["", "## Other state changes", ""]
    if not changes.other_total:
        return [*lines, "None in the window.", ""]
    shown = len(changes.other)
    lines.append(
        "Changes into ALARM first, then oldest first: "
        + (
            f"{shown} of {changes.other_total} shown."
            if shown < changes.other_total
            else f"all {changes.other_total} shown."
        )
    )
    lines.append("")
    lines += [f"- {_when(c.moment)} {c.alarm} ({c.notifies}): {c.old} -> {c.new}" for c in changes.other]
    if shown < changes.other_total:
        lines += ["", f"{changes.other_total - shown} more not shown (`--since` narrows the window)."]
    return [*lines, ""]


def markdown(review: Review) -> str:
    flapping = [a for a in review.alarms if a.flapping]
    in_alarm = [a for a in review.alarms if a.state == "ALARM"]
    heard = [a for a in review.alarms if a.notifies != "nobody"]
    pages_fired = sum(a.entries_into_alarm for a in review.alarms if a.notifies == "page")
    tickets_fired = sum(a.entries_into_alarm for a in review.alarms if a.notifies == "ticket")
    rate = review.success.rate
    lines = [
        "# Weekly monitoring review: cart migration",
        "",
        f"Window {_when(review.start)} .. {_when(review.end)} ({_duration(review.end - review.start)}), "
        f"read from {review.source}.",
        "",
        "## Summary",
        "",
        f"- Pages: {pages_fired}, tickets: {tickets_fired} (entries into ALARM of the "
        f"{len(heard)} alarms that notify).",
        f"- Alarms: {len(review.alarms)}, {len(in_alarm)} in ALARM now, "
        f"{sum(len(a.transitions) for a in review.alarms)} state changes, {len(flapping)} flapping.",
        f"- Success rate: {'-' if rate is None else f'{rate:.2f} %'} ({review.success.verdict}; "
        f"target > {SUCCESS_RATE_TARGET} %, acceptable > {SUCCESS_RATE_ACCEPTABLE} %).",
        "- Latency: " + ", ".join(f"{item.label} {item.verdict}" for item in review.latency) + ".",
        "- Cost this month: " + ("-" if review.cost.total is None else f"${review.cost.total:,.2f}") + ".",
        f"- Pending subscription confirmations: {sum(len(t.pending) for t in review.topics)}.",
        "",
        "## Alarm history",
        "",
        "Pages first (composite alarms on the page topic), then tickets (alarms on the alerts topic), then the "
        "alarms that notify nobody (burn-rate windows: their composite alarms notify). "
        f"Flapping: went into ALARM {FLAPPING_ENTRIES} times or more in the window.",
        "",
        *_table(
            ["Alarm", "Notifies", "Priority", "State now", "State changes", "Time in ALARM", "Flapping"],
            [
                [
                    a.name,
                    WHO_HEARS.get(a.notifies, a.notifies),
                    a.priority,
                    a.state,
                    len(a.transitions),
                    _duration(a.seconds_in_alarm),
                    "yes" if a.flapping else "no",
                ]
                for a in sorted(review.alarms, key=lambda a: (a.rank, a.name))
            ],
        ),
        "",
    ]
    lines += _state_changes_section(review.alarms)
    lines += _query_section("Top failure reasons", review.failure_reasons)
    lines += _query_section("Rate-limited customers", review.rate_limited)
    lines += [
        "## Latency per operation",
        "",
        "p99 over the window against the guide's Performance Benchmarks.",
        "",
        *(
            [
                "The service computed no percentiles: the p99 column holds the maximum, an upper bound of the p99.",
                "",
            ]
            if any(item.statistic != "p99" for item in review.latency)
            else []
        ),
        *_table(
            [
                "Operation",
                "Samples",
                "Average",
                "p99" if all(item.statistic == "p99" for item in review.latency) else "Maximum (for p99)",
                "Target",
                "Acceptable",
                "Alert",
                "Verdict",
            ],
            [
                [
                    f"{item.label} (`{item.operation}`)",
                    f"{item.samples:.0f}",
                    _ms(item.average_ms),
                    _ms(item.p99_ms),
                    f"< {item.target_ms:.0f} ms",
                    f"< {item.acceptable_ms:.0f} ms",
                    f"{item.alert_ms:.0f} ms",
                    item.verdict,
                ]
                for item in review.latency
            ],
        ),
        "",
        "## Success rate against the SLO",
        "",
        *_table(
            ["Successful", "Failed", "Success rate", "Target", "Acceptable", "Verdict"],
            [
                [
                    f"{review.success.successes:.0f}",
                    f"{review.success.failures:.0f}",
                    "-" if rate is None else f"{rate:.2f} %",
                    f"> {SUCCESS_RATE_TARGET} %",
                    f"> {SUCCESS_RATE_ACCEPTABLE} %",
                    review.success.verdict,
                ]
            ],
        ),
        "",
        "## Cost this month (estimate)",
        "",
    ]
    cost = review.cost
    if cost.total is None:
        lines += [f"Not estimated: {cost.note}. `make cost` estimates a plan.", ""]
    else:
        lines += [
            f"At {cost.invocations_per_day:,.0f} invocations a day (this window's rate): "
            f"**${cost.total:,.2f}** a month with the AWS free tier, ${cost.total_without_free_tier:,.2f} without. "
            "Unit prices and assumptions: `make cost`.",
            "",
            *_table(["Item", "USD / month"], [[item, f"{usd:,.2f}"] for item, usd in cost.lines if usd > 0]),
            "",
        ]
    lines += ["## Subscribers per topic", ""]
    lines += _table(
        ["Topic", "Receives", "Confirmed", "Pending confirmation"],
        [
            [
                f"{t.role}: `{t.arn.rsplit(':', 1)[-1]}`",
                t.receives or "-",
                ", ".join(f"{p}:{e}" for p, e in t.confirmed) or "none",
                ", ".join(f"{p}:{e}" for p, e in t.pending) or "none",
            ]
            for t in review.topics
        ],
    )
    lines.append("")
    if any(t.pending for t in review.topics):
        lines += [
            "A pending address receives no alarm until its owner clicks **Confirm subscription** in the "
            "AWS Notification email.",
            "",
        ]
    if review.notes:
        lines += ["## Notes", "", *[f"- {note}" for note in review.notes], ""]
    lines += [
        "## Checklist",
        "",
        "- [ ] Review the dashboard for trends (`cartmon-render-dashboard` or the console)",
        "- [ ] Check alarm history for patterns (above)",
        "- [ ] Review top failure reasons (above)",
        "- [ ] Analyse performance metrics (above)",
        "",
    ]
    return "\n".join(lines)


STYLE = """
body { font-family: system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; color: #16191f; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid #d5dbdb; padding: .3rem .6rem; text-align: left; vertical-align: top; }
th { background: #f2f3f3; }
code { background: #f2f3f3; padding: 0 .2rem; }
.bad { color: #d13212; font-weight: 600; } .ok { color: #1d8102; }
"""


def _inline(text: str) -> str:
    escaped = html.escape(text)
    parts = escaped.split("`")
    escaped = "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))
    parts = escaped.split("**")
    escaped = "".join(f"<strong>{p}</strong>" if i % 2 else p for i, p in enumerate(parts))
    for word, css in (
        ("ALARM", "bad"),
        ("below the acceptable level", "bad"),
        ("above the alert line", "bad"),
        ("above acceptable", "bad"),
        ("meets the target", "ok"),
    ):
        escaped = escaped.replace(word, f'<span class="{css}">{word}</span>')
    return escaped


def to_html(markdown_text: str) -> str:
    """The review's Markdown (headings, paragraphs, lists, tables) as an HTML page."""
    body: list[str] = []
    lines = markdown_text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("|"):
            rows = []
            while index < len(lines) and lines[index].startswith("|"):
                rows.append([c.strip().replace("\\|", "|") for c in lines[index].strip("|").split(" | ")])
                index += 1
            head, data = rows[0], [r for r in rows[2:]]
            body.append("<table><tr>" + "".join(f"<th>{_inline(c)}</th>" for c in head) + "</tr>")
            body += ["<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in r) + "</tr>" for r in data]
            body.append("</table>")
            continue
        if line.startswith("- "):
            body.append("<ul>")
            while index < len(lines) and lines[index].startswith("- "):
                item = lines[index][2:]
                box = item.startswith("[ ] ")
                body.append(f"<li>{'&#9744; ' if box else ''}{_inline(item[4:] if box else item)}</li>")
                index += 1
            body.append("</ul>")
            continue
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            body.append(f"<h{level}>{_inline(line[level:].strip())}</h{level}>")
        elif line.strip():
            body.append(f"<p>{_inline(line)}</p>")
        index += 1
    title = html.escape(lines[0].lstrip("# ")) if lines else "Review"
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{STYLE}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )
