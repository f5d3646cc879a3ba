"""Render a dashboard (by name, or a body) into one PNG and one HTML page."""

from __future__ import annotations

import json
import re
from pathlib import Path

from cartmon.ops.dashboard.collect import collect
from cartmon.ops.dashboard.draw import draw_dashboard
from cartmon.ops.dashboard.layout import layout
from cartmon.ops.dashboard.page import page_html
from cartmon.ops.dashboard.settings import BACKGROUND, DPI
from cartmon.ops.dashboard.timerange import resolve_range


def render_body(
    cloudwatch, logs, body: dict | str, name: str, out_dir, start=None, end=None
) -> tuple[Path, Path]:
    """Render a dashboard body (dict or JSON text) as `name`; see render()."""
    parsed: dict = json.loads(body) if isinstance(body, str) else body
    start_s, end_s = resolve_range(start, end, parsed)
    widgets = layout(parsed)
    items = collect(cloudwatch, logs, widgets, start_s, end_s)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]", "_", name) or "dashboard"
    png_path, html_path = out / f"{stem}.png", out / f"{stem}.html"
    figure = draw_dashboard(name, items, start_s, end_s)
    figure.savefig(png_path, format="png", dpi=DPI, facecolor=BACKGROUND)
    html_path.write_text(page_html(name, items, start_s, end_s), encoding="utf-8")
    return png_path, html_path


def render(cloudwatch, logs, dashboard_name: str, out_dir, start=None, end=None) -> tuple[Path, Path]:
    """Render the deployed dashboard `dashboard_name` into out_dir; returns (png_path, html_path).

    `end` is the caller's now (epoch seconds or datetime; the emulator clock on the emulator),
    `start` a duration before it ("-PT3H"), an absolute time, or None for the body's `start`.
    """
    body = cloudwatch.get_dashboard(DashboardName=dashboard_name)["DashboardBody"]
    return render_body(cloudwatch, logs, body, dashboard_name, out_dir, start, end)
