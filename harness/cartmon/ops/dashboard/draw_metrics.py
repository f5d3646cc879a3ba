"""Drawing metric widgets with matplotlib: time series (lines or stacked areas), numbers, bars, pies."""

from __future__ import annotations

import math
from datetime import UTC

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from cartmon.ops.dashboard.collect import Rendered
from cartmon.ops.dashboard.fetch import MetricData, Series
from cartmon.ops.dashboard.settings import BORDER, INK, MUTED, PALETTE
from cartmon.ops.dashboard.timerange import utc


def format_number(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "\u2013"
    if float(value).is_integer():
        return f"{int(value):,}"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) >= 1 else f"{value:.3g}"


class Canvas:
    """Pixel boxes (left, top, width, height from the figure's top-left) on a figure."""

    def __init__(self, fig: Figure, width_px: int, height_px: int):
        self.fig = fig
        self.width = width_px
        self.height = height_px

    def rect(self, left: float, top: float, width: float, height: float) -> tuple[float, float, float, float]:
        return (left / self.width, 1 - (top + height) / self.height, width / self.width, height / self.height)

    def origin(self, left: float, top: float, height: float) -> tuple[float, float]:
        """Figure coordinates of the bottom-left corner of a box."""
        return left / self.width, 1 - (top + height) / self.height

    def axes(self, left, top, width, height, **kwargs):
        return self.fig.add_axes(self.rect(left, top, max(width, 1), max(height, 1)), **kwargs)

    def text(self, left, top, text, **kwargs):
        return self.fig.text(left / self.width, 1 - top / self.height, text, **kwargs)


def _colors(series: list[Series]) -> dict[str, str]:
    colors, k = {}, 0
    for s in series:
        if s.spec.color:
            colors[s.spec.id] = s.spec.color
        else:
            colors[s.spec.id] = PALETTE[k % len(PALETTE)]
            k += 1
    return colors


def draw_message(canvas: Canvas, box, text: str, color: str = MUTED, size: float = 9):
    left, top, width, height = box
    canvas.text(
        left + width / 2,
        top + height / 2,
        text,
        ha="center",
        va="center",
        color=color,
        fontsize=size,
        wrap=True,
    )


def draw_metric(canvas: Canvas, box, item: Rendered) -> None:
    properties = item.widget.properties
    data = item.metrics
    if item.error or data is None:
        draw_message(canvas, box, item.error or "no data", color="#d13212")
        return
    visible = [s for s in data.series if s.spec.visible]
    view = item.widget.view
    if view in ("singleValue", "gauge"):
        _draw_single_values(canvas, box, visible, data)
    elif view in ("bar", "pie"):
        _draw_bar_or_pie(canvas, box, visible, data, view)
    else:
        _draw_time_series(canvas, box, visible, data, properties)


def range_or_latest(series: Series, data: MetricData) -> float | None:
    """A number view's value: the one whole-range datapoint (setPeriodToTimeRange), else the latest."""
    return series.latest()


def _draw_single_values(canvas: Canvas, box, visible: list[Series], data: MetricData) -> None:
    left, top, width, height = box
    if not visible:
        draw_message(canvas, box, "No metrics")
        return
    per_row = min(len(visible), max(1, int(width // 160)))
    rows = math.ceil(len(visible) / per_row)
    cell_w, cell_h = width / per_row, height / rows
    value_size = max(10, min(34, cell_h * 0.42, cell_w / 6))
    colors = _colors(visible)
    for k, series in enumerate(visible):
        cx = left + (k % per_row) * cell_w + cell_w / 2
        cy = top + (k // per_row) * cell_h
        value = range_or_latest(series, data)
        shown = "No data" if value is None and not series.error else format_number(value)
        canvas.text(
            cx,
            cy + cell_h * 0.45,
            shown,
            ha="center",
            va="baseline",
            fontsize=value_size if value is not None else max(9, value_size * 0.45),
            color=colors[series.spec.id] if value is not None else MUTED,
        )
        caption = series.spec.label + (f" ({series.error})" if series.error else "")
        canvas.text(
            cx,
            cy + cell_h * 0.45 + 16,
            clip(caption, max(12, int(cell_w / 6.5))),
            ha="center",
            va="top",
            fontsize=8,
            color=MUTED,
        )


def _draw_bar_or_pie(canvas: Canvas, box, visible: list[Series], data: MetricData, view: str) -> None:
    left, top, width, height = box
    values = [(s, range_or_latest(s, data)) for s in visible]
    present = [(s, v) for s, v in values if v is not None]
    if not present:
        draw_message(canvas, box, "No data available.")
        return
    colors = _colors(visible)
    if view == "pie":
        ax = canvas.axes(left + 8, top + 4, min(width * 0.5, height - 8), height - 8)
        positive = [(s, v) for s, v in present if v > 0]
        if positive:
            ax.pie(
                [v for _, v in positive],
                colors=[colors[s.spec.id] for s, _ in positive],
                startangle=90,
                counterclock=False,
                wedgeprops={"linewidth": 1, "edgecolor": "white"},
            )
        ax.set_aspect("equal")
        legend_left = left + min(width * 0.5, height - 8) + 24
        chars = max(8, int((left + width - legend_left - 14) / 6))
        for k, (s, v) in enumerate(present):
            canvas.text(
                legend_left, top + 14 + k * 16, "\u25a0", fontsize=9, color=colors[s.spec.id], va="center"
            )
            canvas.text(
                legend_left + 13,
                top + 14 + k * 16,
                clip(f"{s.spec.label}: {format_number(v)}", chars),
                fontsize=8,
                color=INK,
                va="center",
            )
        return
    ax = canvas.axes(left + 48, top + 6, width - 60, height - 30)
    labels = [s.spec.label for s, _ in present]
    ax.bar(range(len(present)), [v for _, v in present], color=[colors[s.spec.id] for s, _ in present])
    ax.set_xticks(
        range(len(present)),
        [clip(x, max(6, int((width - 60) / len(present) / 5.5))) for x in labels],
        fontsize=7,
    )
    _style_axes(ax)


def _style_axes(ax) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(BORDER)
    ax.tick_params(colors=MUTED, labelsize=7, length=3)
    ax.grid(axis="y", color="#eaeded", linewidth=0.8)
    ax.set_axisbelow(True)


def _apply_axis(ax, settings: dict | None, values: list[float]) -> None:
    settings = settings or {}
    low = settings.get("min")
    high = settings.get("max")
    if low is None and values and min(values) >= 0:
        low = 0
    if low is not None or high is not None:
        current = ax.get_ylim()
        ax.set_ylim(low if low is not None else current[0], high if high is not None else current[1])
    if settings.get("label"):
        ax.set_ylabel(settings["label"], fontsize=7, color=MUTED)


def _draw_time_series(canvas: Canvas, box, visible: list[Series], data: MetricData, properties: dict) -> None:
    left, top, width, height = box
    legend = (properties.get("legend") or {}).get("position", "bottom")
    legend_rows = 0
    if legend == "bottom" and visible:
        per_row = max(1, int((width - 20) // 170))
        legend_rows = math.ceil(len(visible) / per_row)
    right_axis = any(s.spec.y_axis == "right" for s in visible)
    legend_w = 150 if legend == "right" and visible else 0
    ax = canvas.axes(
        left + 44,
        top + 6,
        width - 44 - (36 if right_axis else 10) - legend_w,
        height - 6 - 20 - legend_rows * 15 - (10 if legend_rows else 0),
    )
    ax2 = ax.twinx() if right_axis else None
    colors = _colors(visible)
    stacked = bool(properties.get("stacked"))
    y_axes = properties.get("yAxis") or {}
    handles = []
    left_values: list[float] = []
    right_values: list[float] = []
    stack = [s for s in visible if s.spec.y_axis == "left" and stacked]
    if stack:
        times = sorted(set().union(*(s.points for s in stack)))
        if times:
            ys = [[s.points.get(t, 0.0) for t in times] for s in stack]
            areas = ax.stackplot(
                [utc(t) for t in times],
                ys,
                colors=[colors[s.spec.id] for s in stack],
                alpha=0.55,
                linewidth=0.8,
            )
            left_values += [sum(column) for column in zip(*ys, strict=True)]
            handles += list(zip(areas, [s for s in stack], strict=True))
    for s in visible:
        if s in stack:
            continue
        target = ax2 if ax2 is not None and s.spec.y_axis == "right" else ax
        xs, line_ys = [utc(t) for t in s.times], s.values
        (line,) = target.plot(
            xs,
            line_ys,
            color=colors[s.spec.id],
            linewidth=1.4,
            marker="o" if len(xs) <= 30 else None,
            markersize=2.5,
        )
        (right_values if target is ax2 else left_values).extend(line_ys)
        handles.append((line, s))
    for annotation in (
        properties.get("annotations", {}).get("horizontal", [])
        if isinstance(properties.get("annotations"), dict)
        else []
    ):
        if "value" in annotation:
            target = ax2 if annotation.get("yAxis") == "right" and ax2 else ax
            target.axhline(
                float(annotation["value"]),
                color=annotation.get("color", "#d13212"),
                linewidth=1,
                linestyle="--",
            )
            if annotation.get("label"):
                target.annotate(
                    annotation["label"],
                    (0.005, float(annotation["value"])),
                    xycoords=("axes fraction", "data"),
                    fontsize=7,
                    color=annotation.get("color", "#d13212"),
                    va="bottom",
                )
    ax.set_xlim(utc(data.start), utc(data.end))
    locator = mdates.AutoDateLocator(
        tz=UTC, minticks=3, maxticks=max(3, int(ax.get_position().width * canvas.width / 70))
    )
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(
        mdates.DateFormatter("%H:%M" if data.end - data.start <= 2 * 86400 else "%m-%d", tz=UTC)
    )
    _style_axes(ax)
    _apply_axis(ax, y_axes.get("left"), left_values)
    if ax2 is not None:
        ax2.tick_params(colors=MUTED, labelsize=7, length=3)
        for side in ("top", "left"):
            ax2.spines[side].set_visible(False)
        ax2.spines["right"].set_color(BORDER)
        _apply_axis(ax2, y_axes.get("right"), right_values)
    if not left_values and not right_values:
        ax.set_yticks([0, 1])
        ax.set_ylim(0, 1)
        ax.text(
            0.5,
            0.5,
            "No data available.",
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=9,
            color=MUTED,
        )
    if legend == "hidden" or not handles:
        return
    labels = [s.spec.label + (f" (no data: {s.error})" if s.error else "") for _, s in handles]
    artists = [h for h, _ in handles]
    if legend == "right":
        ax.legend(
            artists,
            labels,
            loc="center left",
            bbox_to_anchor=(1.02 if not ax2 else 1.12, 0.5),
            fontsize=7,
            frameon=False,
            handlelength=1.2,
        )
    else:
        per_row = max(1, int((width - 20) // 170))
        ax.legend(
            artists,
            [clip(x, 40) for x in labels],
            loc="upper left",
            bbox_to_anchor=(0, -0.1),
            ncol=per_row,
            fontsize=7,
            frameon=False,
            handlelength=1.2,
            borderaxespad=1.2 if legend_rows else 0,
        )


def clip(text: str, width: int) -> str:
    text = str(text).replace("\n", " ")
    return text if len(text) <= width else text[: max(1, width - 1)] + "\u2026"
