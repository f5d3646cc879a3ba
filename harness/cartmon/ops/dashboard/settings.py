"""The picture's geometry (CloudWatch's 24-column grid in pixels), CloudWatch's defaults, colours."""

from __future__ import annotations

GRID_COLUMNS = 24
COLUMN_PX = 60  # one grid column: the whole dashboard is 1440 px wide
ROW_PX = 50  # one grid row
HEADER_PX = 56  # dashboard name and time range above the grid
DPI = 100
TITLE_PX = 26  # a widget's title band
DETAILS_PX = 22  # the page's "data" toggle under a graph
PAD_PX = 4  # gap around each widget

DEFAULT_WIDTH = 6  # CloudWatch's defaults for a widget without a size
DEFAULT_HEIGHT = 6
DEFAULT_PERIOD = 300
DEFAULT_STAT = "Average"
DEFAULT_START = "-PT3H"
MAX_DATAPOINTS = 1440  # per series: a longer range gets a longer period
QUERY_TIMEOUT_SECONDS = 60.0

# CloudWatch's graph palette (the d3 category10 colours).
PALETTE = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
]
INK = "#16191f"
MUTED = "#5f6b7a"
BORDER = "#d5dbdb"
PANEL = "#ffffff"
BACKGROUND = "#f2f3f3"

RANGE_VIEWS = {"singleValue", "gauge", "bar", "pie"}
