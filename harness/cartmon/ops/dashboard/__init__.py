"""Render a deployed CloudWatch dashboard, from its own body, to one PNG and one HTML page.

    cartmon-render-dashboard --dashboard NAME [--out build/dashboard] [--hours 3 | --start ISO [--end ISO]]

The dashboard body is read back with GetDashboard, so the picture is whatever the deployed
body says: widget positions on the 24-column grid, titles, metrics arrays (with the `.` and
`...` shorthand), periods, statistics, views, stacking, y axes, and Logs Insights queries.
Nothing here knows any particular widget.

- `metric` widgets: GetMetricData over the time range, one query per entry of the metrics
  array; `timeSeries` (lines, or stacked areas), `singleValue`/`gauge` (numbers), `bar` and
  `pie`. Metric-math entries (`{"expression": ...}`) are evaluated on the fetched series by the
  emulator's metric-math engine, the one the alarms use (`metric_math`).
- `log` widgets: the query without its leading `SOURCE '<group>' |` clauses runs with
  StartQuery/GetQueryResults on those groups over the time range; the rows become a table.
- `text` widgets: the markdown, as text.
- any other widget type: a placeholder naming the type.

The time range ends at the caller's "now". Against the embedded emulator that is the
emulator's clock (`GET {endpoint}/_cartmon/clock`, which tests may have moved forward), and
the CLI reads it from there; elsewhere it is the wall clock. `start` is an ISO-8601 duration
relative to the end (CloudWatch's "-PT3H" form), an absolute time, or None for the body's
own `start` (default three hours).

Outputs, in the output folder: `<dashboard>.png` (the whole dashboard, COLUMN_PX pixels per
grid column and ROW_PX per grid row, under a HEADER_PX header) and `<dashboard>.html` (one
self-contained page: styles inline, graphs as base64 PNGs, tables and numbers as HTML).

The package: `settings` (geometry, defaults, colours), `timerange`, `layout`, `metrics_array`,
`fetch` and `metric_math` (metric data and expressions), `log_widget`, `markdown`, `collect`
(everything the widgets show), `draw_metrics` and `draw` (the PNG), `page` (the HTML), `render`
(`render`, which the demo uses) and `cli` (`main`, the `cartmon-render-dashboard` console script).
"""
