"""The HTML page: the same grid in CSS, numbers and tables as HTML, graphs as inline PNGs."""

from __future__ import annotations

import base64
import html

from cartmon.ops.dashboard import settings
from cartmon.ops.dashboard.collect import Rendered
from cartmon.ops.dashboard.draw import widget_png
from cartmon.ops.dashboard.draw_metrics import (
    format_number,
    range_or_latest,
)
from cartmon.ops.dashboard.fetch import MetricData
from cartmon.ops.dashboard.layout import grid_rows
from cartmon.ops.dashboard.markdown import markdown_to_html
from cartmon.ops.dashboard.timerange import describe_range, utc

STYLE = f"""
* {{ box-sizing: border-box; }}
body {{ margin: 0; background: {settings.BACKGROUND}; color: {settings.INK}; font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }}
header {{ padding: 12px 16px 4px; }}
header h1 {{ margin: 0; font-size: 20px; }}
header p {{ margin: 2px 0 0; color: {settings.MUTED}; }}
.grid {{ display: grid; grid-template-columns: repeat({settings.GRID_COLUMNS}, minmax(0, 1fr)); grid-auto-rows: {settings.ROW_PX}px;
        max-width: {settings.GRID_COLUMNS * settings.COLUMN_PX}px; padding: 0; }}
.widget {{ margin: {settings.PAD_PX}px; background: {settings.PANEL}; border: 1px solid {settings.BORDER}; display: flex; flex-direction: column;
          min-width: 0; min-height: 0; overflow: hidden; }}
.widget h2 {{ font-size: 14px; margin: 0; padding: 4px 8px; height: {settings.TITLE_PX}px; white-space: nowrap; overflow: hidden;
             text-overflow: ellipsis; }}
.widget .body {{ flex: 1; min-height: 0; overflow: auto; padding: 0 4px 4px; }}
.widget img {{ width: 100%; height: auto; display: block; }}
.widget.text .body {{ padding: 4px 12px; }}
.widget.text h3, .widget.text h4 {{ margin: 4px 0; }}
table {{ border-collapse: collapse; width: 100%; font: 12px/1.3 ui-monospace, "DejaVu Sans Mono", monospace; }}
th, td {{ text-align: left; padding: 2px 6px; border-bottom: 1px solid #eaeded; white-space: nowrap; }}
th {{ position: sticky; top: 0; background: #fafafa; }}
.singles {{ display: flex; flex-wrap: wrap; justify-content: space-around; align-items: center; height: 100%; }}
.single {{ text-align: center; padding: 4px 12px; }}
.single .value {{ font-size: 30px; }}
.single .value.none {{ font-size: 16px; color: {settings.MUTED}; }}
.single .label, .note {{ color: {settings.MUTED}; font-size: 12px; }}
.error {{ color: #d13212; }}
.state-alarm {{ color: #d13212; font-weight: 600; }} .state-ok {{ color: #1d8102; }}
details {{ font-size: 12px; color: {settings.MUTED}; padding: 2px 4px; }}
"""


def _series_table(data: MetricData) -> str:
    times = sorted(set().union(*(s.points for s in data.series)))
    head = "<th>time (UTC)</th>" + "".join(f"<th>{html.escape(s.spec.label)}</th>" for s in data.series)
    rows = "".join(
        f"<tr><td>{utc(t):%Y-%m-%d %H:%M}</td>"
        + "".join(f"<td>{format_number(s.points.get(t)) if t in s.points else ''}</td>" for s in data.series)
        + "</tr>"
        for t in times
    )
    return f"<details><summary>data</summary><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></details>"


def widget_html(item: Rendered) -> str:
    w = item.widget
    title = w.title
    classes = f"widget {html.escape(w.type)}"
    style = f"grid-column: {w.x + 1} / span {w.width}; grid-row: {w.y + 1} / span {w.height};"
    heading = f"<h2>{html.escape(title)}</h2>" if title else ""
    if (
        w.type == "metric"
        and not item.error
        and item.metrics is not None
        and w.view in ("singleValue", "gauge")
    ):
        singles = []
        for series in (s for s in item.metrics.series if s.spec.visible):
            value = range_or_latest(series, item.metrics)
            note = f' <span class="error">({html.escape(series.error)})</span>' if series.error else ""
            shown = "No data" if value is None and not series.error else format_number(value)
            singles.append(
                f'<div class="single"><div class="value{" none" if value is None else ""}">{html.escape(shown)}</div>'
                f'<div class="label">{html.escape(series.spec.label)}{note}</div></div>'
            )
        content = f'<div class="singles">{"".join(singles)}</div>'
    elif w.type == "metric":
        if item.error or item.metrics is None:
            content = f'<p class="error">{html.escape(item.error or "no data")}</p>'
        else:
            labels = ", ".join(s.spec.label for s in item.metrics.series if s.spec.visible)
            image = base64.b64encode(widget_png(item)).decode("ascii")
            content = (
                f'<img alt="{html.escape(w.view)} graph of {html.escape(labels)}" src="data:image/png;base64,{image}">'
                + _series_table(item.metrics)
            )
    elif w.type == "log":
        table = item.table
        if table is None or table.error or item.error:
            content = (
                f'<p class="error">{html.escape((table.error if table else None) or item.error or "")}</p>'
            )
        elif not table.rows:
            content = '<p class="note">No data found in the time range.</p>'
        else:
            head = "".join(f"<th>{html.escape(c)}</th>" for c in table.columns)
            rows = "".join(
                "<tr>" + "".join(f"<td>{html.escape(r.get(c, ''))}</td>" for c in table.columns) + "</tr>"
                for r in table.rows
            )
            content = f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    elif w.type == "text":
        content = markdown_to_html(str(w.properties.get("markdown", "")))
    elif w.type == "alarm":
        rows = "".join(
            f'<tr><td>{html.escape(a.name)}</td><td class="state-{html.escape(a.state.lower())}">'
            f"{html.escape(a.state)}</td><td>{html.escape(a.since)}</td></tr>"
            for a in item.alarms or []
        )
        content = (
            f"<table><thead><tr><th>Alarm</th><th>State</th><th>Since</th></tr></thead><tbody>{rows}</tbody></table>"
            if rows
            else f'<p class="note">{html.escape(item.error or "no alarms")}</p>'
        )
    else:
        content = f"<p class=\"note\">widget type '{html.escape(w.type)}' is not rendered here</p>"
    return (
        f'<section class="{classes}" style="{style}" data-widget="{w.index}">{heading}'
        f'<div class="body">{content}</div></section>'
    )


def page_html(name: str, items: list[Rendered], start: float, end: float) -> str:
    rows = grid_rows([i.widget for i in items])
    sections = "\n".join(widget_html(item) for item in items)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(name)} \u2013 dashboard</title>
<style>{STYLE}</style>
</head>
<body>
<header><h1>{html.escape(name)}</h1><p>{html.escape(describe_range(start, end))}; rendered from the deployed dashboard body</p></header>
<main class="grid" style="grid-template-rows: repeat({rows}, {settings.ROW_PX}px)">
{sections}
</main>
</body>
</html>
"""
