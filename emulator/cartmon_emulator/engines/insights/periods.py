"""Time periods (``5m``, ``1h``, ``1mo``) as bin/datefloor/dateceil use them."""

from __future__ import annotations

import dataclasses
import datetime as _dt

from cartmon_emulator.engines.insights.values import (
    _EPOCH,
)

_UNIT_ALIASES = {
    "ms": ("millisecond", "milliseconds", "ms", "msec", "msecs"),
    "s": ("second", "seconds", "s", "sec", "secs"),
    "m": ("minute", "minutes", "m", "min", "mins"),
    "h": ("hour", "hours", "h", "hr", "hrs"),
    "d": ("day", "days", "d"),
    "w": ("week", "weeks", "w"),
    "mo": ("month", "months", "mo", "mon", "mons"),
    "q": ("quarter", "quarters", "q", "qtr", "qtrs"),
    "y": ("year", "years", "y", "yr", "yrs"),
}
_UNITS = {alias: canonical for canonical, aliases in _UNIT_ALIASES.items() for alias in aliases}
_UNIT_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}
# "CloudWatch Logs caps your request according to the time unit": bin(300s) is implemented as 60 seconds.
_UNIT_CAP = {"ms": 1000, "s": 60, "m": 60, "h": 24}
_UNIT_MONTHS = {"mo": 1, "q": 3, "y": 12}
_WEEK_MS = 7 * 86_400_000
# Weeks begin on Monday 00:00 UTC (ISO 8601); AWS does not say which day, see docs/insights-emulation.md.
# 1970-01-01 was a Thursday, so Monday-aligned weeks start 3 days before (or 4 after) each epoch multiple.
_MONDAY_SHIFT_MS = 3 * 86_400_000


@dataclasses.dataclass(frozen=True)
class _Period:
    amount: int
    unit: str  # canonical unit

    def floor(self, ms: int) -> int | None:
        if self.unit == "w":
            size = self.amount * _WEEK_MS
            return ((ms + _MONDAY_SHIFT_MS) // size) * size - _MONDAY_SHIFT_MS
        if self.unit in _UNIT_MS:
            size = self.amount * _UNIT_MS[self.unit]
            return (ms // size) * size
        months = self.amount * _UNIT_MONTHS[self.unit]
        moment = _EPOCH + _dt.timedelta(milliseconds=ms)
        index = ((moment.year * 12 + moment.month - 1) // months) * months
        year, month = divmod(index, 12)
        if year < 1:
            return None
        start = _dt.datetime(year, month + 1, 1, tzinfo=_dt.UTC)
        return (start - _EPOCH) // _dt.timedelta(milliseconds=1)

    def ceil(self, ms: int) -> int | None:
        floored = self.floor(ms)
        if floored is None or floored == ms:
            return floored
        if self.unit == "w":
            return floored + self.amount * _WEEK_MS
        if self.unit in _UNIT_MS:
            return floored + self.amount * _UNIT_MS[self.unit]
        months = self.amount * _UNIT_MONTHS[self.unit]
        moment = _EPOCH + _dt.timedelta(milliseconds=floored)
        year, month = divmod(moment.year * 12 + moment.month - 1 + months, 12)
        if year > 9999:
            return None
        start = _dt.datetime(year, month + 1, 1, tzinfo=_dt.UTC)
        return (start - _EPOCH) // _dt.timedelta(milliseconds=1)
