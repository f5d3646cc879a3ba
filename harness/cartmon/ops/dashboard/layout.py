"""Widgets of a dashboard body placed on the 24-column grid, as CloudWatch places them."""

from __future__ import annotations

from dataclasses import dataclass

from cartmon.ops.dashboard.log_widget import split_log_query
from cartmon.ops.dashboard.metrics_array import expand_metric_rows
from cartmon.ops.dashboard.settings import (
    COLUMN_PX,
    DEFAULT_HEIGHT,
    DEFAULT_WIDTH,
    GRID_COLUMNS,
    HEADER_PX,
    ROW_PX,
)


@dataclass
class Widget:
    index: int
    type: str
    x: int
    y: int
    width: int
    height: int
    properties: dict

    @property
    def view(self) -> str:
        return self.properties.get("view") or ("table" if self.type == "log" else "timeSeries")

    @property
    def title(self) -> str:
        title = self.properties.get("title")
        if title:
            return str(title)
        if self.type == "log":
            groups, _ = split_log_query(self.properties.get("query", ""))
            return ", ".join(groups) or "Logs"
        if self.type == "metric":
            names = []
            for row, _options in expand_metric_rows(self.properties.get("metrics") or []):
                if len(row) > 1 and row[1] not in names:
                    names.append(row[1])
            return ", ".join(names)
        return ""


def layout(body: dict) -> list[Widget]:
    """The body's widgets with their grid boxes; one without x/y goes to the next free place,
    left to right and top to bottom, as CloudWatch places it."""
    widgets: list[Widget] = []
    for index, raw in enumerate(body.get("widgets") or []):
        width = max(1, min(GRID_COLUMNS, int(raw.get("width") or DEFAULT_WIDTH)))
        height = max(1, int(raw.get("height") or DEFAULT_HEIGHT))
        widgets.append(
            Widget(
                index=index,
                type=str(raw.get("type", "")),
                x=-1 if raw.get("x") is None else min(int(raw["x"]), GRID_COLUMNS - width),
                y=-1 if raw.get("y") is None else int(raw["y"]),
                width=width,
                height=height,
                properties=dict(raw.get("properties") or {}),
            )
        )
    placed = [w for w in widgets if w.x >= 0 and w.y >= 0]
    for widget in widgets:
        if widget.x >= 0 and widget.y >= 0:
            continue
        widget.x, widget.y = _free_place(placed, widget.width, widget.height)
        placed.append(widget)
    return widgets


def _free_place(placed: list[Widget], width: int, height: int) -> tuple[int, int]:
    y = 0
    while True:
        for x in range(GRID_COLUMNS - width + 1):
            if not any(
                x < p.x + p.width and p.x < x + width and y < p.y + p.height and p.y < y + height
                for p in placed
            ):
                return x, y
        y += 1


def grid_rows(widgets: list[Widget]) -> int:
    return max((w.y + w.height for w in widgets), default=1)


def png_size(widgets: list[Widget]) -> tuple[int, int]:
    """Pixel size of the dashboard PNG for these widgets."""
    return GRID_COLUMNS * COLUMN_PX, HEADER_PX + grid_rows(widgets) * ROW_PX
