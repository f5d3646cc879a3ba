"""Drawing the other widgets (log tables, text, placeholders) and the whole dashboard picture."""

from __future__ import annotations

import io
import textwrap

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from cartmon.ops.dashboard.collect import Rendered
from cartmon.ops.dashboard.draw_metrics import Canvas, clip, draw_message, draw_metric
from cartmon.ops.dashboard.layout import png_size
from cartmon.ops.dashboard.log_widget import LogTable
from cartmon.ops.dashboard.markdown import markdown_to_lines
from cartmon.ops.dashboard.settings import (
    BACKGROUND,
    BORDER,
    COLUMN_PX,
    DETAILS_PX,
    DPI,
    HEADER_PX,
    INK,
    MUTED,
    PAD_PX,
    PANEL,
    ROW_PX,
    TITLE_PX,
)
from cartmon.ops.dashboard.timerange import describe_range


def draw_log_table(canvas: Canvas, box, table: LogTable | None, error: str | None = None) -> None:
    left, top, width, height = box
    if table is None or table.error or error:
        draw_message(canvas, box, (table.error if table else None) or error or "no result", color="#d13212")
        return
    if not table.rows:
        draw_message(canvas, box, "No data found in the time range.")
        return
    line_px, font = 15, 7.5
    char_px = 6.3  # DejaVu Sans Mono: 0.6 em at 7.5 pt and 100 dpi
    capacity = max(1, int((height - 4) // line_px) - 1)
    shown = table.rows[:capacity]
    more = len(table.rows) - len(shown)
    if more:
        shown = table.rows[: capacity - 1]
        more = len(table.rows) - len(shown)
    total_chars = max(10, int((width - 12) / char_px))
    natural = [min(60, max(len(c), *(len(r.get(c, "")) for r in shown))) for c in table.columns]
    budget = total_chars - 2 * (len(natural) - 1)
    widths = natural if sum(natural) <= budget else _shrink(natural, budget)
    x = left + 6
    positions = []
    for w in widths:
        positions.append(x)
        x += (w + 2) * char_px
    y = top + 2
    canvas.fig.add_artist(
        Rectangle(
            canvas.origin(left, top, line_px),
            width / canvas.width,
            line_px / canvas.height,
            transform=canvas.fig.transFigure,
            facecolor="#f4f4f4",
            edgecolor="none",
            zorder=-0.5,
        )
    )
    for column, position, w in zip(table.columns, positions, widths, strict=True):
        canvas.text(
            position,
            y + line_px / 2,
            clip(column, w),
            fontsize=font,
            family="DejaVu Sans Mono",
            weight="bold",
            va="center",
            color=INK,
        )
    for row in shown:
        y += line_px
        for column, position, w in zip(table.columns, positions, widths, strict=True):
            canvas.text(
                position,
                y + line_px / 2,
                clip(row.get(column, ""), w),
                fontsize=font,
                family="DejaVu Sans Mono",
                va="center",
                color=INK,
            )
    if more:
        y += line_px
        canvas.text(
            left + 6,
            y + line_px / 2,
            f"\u2026 {more} more row(s): see the HTML page",
            fontsize=font,
            va="center",
            color=MUTED,
            style="italic",
        )


def _shrink(natural: list[int], budget: int) -> list[int]:
    widths = list(natural)
    while sum(widths) > budget and max(widths) > 4:
        widths[widths.index(max(widths))] -= 1
    return widths


def draw_text(canvas: Canvas, box, markdown: str) -> None:
    left, top, width, height = box
    sizes = {"h1": 13, "h2": 11.5, "h3": 10, "li": 8.5, "p": 8.5}
    y = top + 4
    for style, text in markdown_to_lines(markdown):
        size = sizes[style]
        wrap_at = max(10, int((width - 16) / (size * 0.58)))
        for piece in textwrap.wrap(text, wrap_at) or [""]:
            if y + size * 1.45 > top + height:
                return
            canvas.text(
                left + 8,
                y,
                piece,
                fontsize=size,
                va="top",
                color=INK,
                weight="bold" if style.startswith("h") else "normal",
            )
            y += size * 1.45 + (3 if style.startswith("h") else 0)


STATE_COLORS = {"ALARM": "#d13212", "OK": "#1d8102", "INSUFFICIENT_DATA": "#687078"}


def draw_alarm_status(canvas: Canvas, box, item: Rendered) -> None:
    """The alarm-status widget: one tile per alarm, coloured by its state, in the widget's order
    (as CloudWatch's alarm widget lists them), in as many columns as the width holds."""
    left, top, width, height = box
    alarms = item.alarms or []
    if not alarms:
        draw_message(canvas, box, item.error or "no alarms")
        return
    prefix = _shared_prefix([a.name for a in alarms])
    tile_w, tile_h = 330, 18
    columns = max(1, int(width // tile_w))
    rows = max(1, int(height // tile_h))
    shown = alarms[: columns * rows]
    if len(shown) < len(alarms):
        shown = alarms[: columns * rows - 1]
    for index, alarm in enumerate(shown):
        column, row = divmod(index, rows)
        x, y = left + 6 + column * tile_w, top + 2 + row * tile_h
        color = STATE_COLORS.get(alarm.state, "#8d6605")
        canvas.fig.add_artist(
            Rectangle(
                canvas.origin(x, y + 3, 10),
                10 / canvas.width,
                10 / canvas.height,
                transform=canvas.fig.transFigure,
                facecolor=color,
                edgecolor="none",
            )
        )
        label = (
            f"{alarm.name.removeprefix(prefix)}  {alarm.state.replace('INSUFFICIENT_DATA', 'INSUFFICIENT')}"
        )
        canvas.text(x + 15, y + tile_h / 2, clip(label, 50), fontsize=7.5, va="center", color=INK)
    if len(shown) < len(alarms):
        column, row = divmod(len(shown), rows)
        canvas.text(
            left + 6 + column * tile_w,
            top + 2 + row * tile_h + tile_h / 2,
            f"\u2026 {len(alarms) - len(shown)} more: see the HTML page",
            fontsize=7.5,
            va="center",
            color=MUTED,
            style="italic",
        )


def _shared_prefix(names: list[str]) -> str:
    """The part of the names they all start with, up to its last dash (the alarm_name_prefix)."""
    if len(names) < 2:
        return ""
    shared = names[0]
    for name in names[1:]:
        while not name.startswith(shared):
            shared = shared[:-1]
    return shared[: shared.rfind("-") + 1]


def draw_widget(canvas: Canvas, box, item: Rendered) -> None:
    widget = item.widget
    if widget.type == "metric":
        draw_metric(canvas, box, item)
    elif widget.type == "log":
        draw_log_table(canvas, box, item.table, item.error)
    elif widget.type == "text":
        draw_text(canvas, box, str(widget.properties.get("markdown", "")))
    elif widget.type == "alarm":
        draw_alarm_status(canvas, box, item)
    else:
        draw_message(canvas, box, f"widget type '{widget.type}' is not rendered here")


def draw_dashboard(name: str, items: list[Rendered], start: float, end: float) -> Figure:
    widgets = [i.widget for i in items]
    width_px, height_px = png_size(widgets)
    fig = Figure(figsize=(width_px / DPI, height_px / DPI), dpi=DPI, facecolor=BACKGROUND)
    canvas = Canvas(fig, width_px, height_px)
    canvas.text(16, 22, name, fontsize=15, weight="bold", va="center", color=INK)
    canvas.text(16, 44, describe_range(start, end), fontsize=9, va="center", color=MUTED)
    for item in items:
        w = item.widget
        left = w.x * COLUMN_PX + PAD_PX
        top = HEADER_PX + w.y * ROW_PX + PAD_PX
        width = w.width * COLUMN_PX - 2 * PAD_PX
        height = w.height * ROW_PX - 2 * PAD_PX
        fig.add_artist(
            Rectangle(
                canvas.origin(left, top, height),
                width / width_px,
                height / height_px,
                transform=fig.transFigure,
                facecolor=PANEL if w.type != "text" else "#fbfbfb",
                edgecolor=BORDER,
                linewidth=1,
                zorder=-1,
            )
        )
        title = w.title
        if title:
            canvas.text(
                left + 8,
                top + TITLE_PX / 2 + 1,
                clip(title, max(8, int(width / 7.5))),
                fontsize=10,
                weight="bold",
                va="center",
                color=INK,
            )
        content_top = top + (TITLE_PX if title else 4)
        draw_widget(canvas, (left + 2, content_top, width - 4, top + height - content_top - 2), item)
    return fig


def widget_png(item: Rendered) -> bytes:
    """One widget's drawing for the page (without its title and the data toggle, which are HTML)."""
    w = item.widget
    width_px = w.width * COLUMN_PX - 2 * PAD_PX - 10
    height_px = max(40, w.height * ROW_PX - 2 * PAD_PX - TITLE_PX - DETAILS_PX - 6)
    fig = Figure(figsize=(width_px / DPI, max(1, height_px) / DPI), dpi=DPI, facecolor=PANEL)
    draw_widget(Canvas(fig, width_px, max(1, height_px)), (2, 2, width_px - 4, height_px - 4), item)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, facecolor=PANEL)
    return buffer.getvalue()
