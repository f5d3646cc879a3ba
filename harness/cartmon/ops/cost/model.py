"""The traffic assumptions, one priced line, and the estimate they make."""

from __future__ import annotations

from dataclasses import dataclass, field

from cartmon.ops.cost.prices import (
    DAYS_PER_MONTH,
    GB,
    PRICES,
)


@dataclass
class Assumptions:
    """Traffic the plan cannot tell. The defaults are a guess at this service's production load."""

    invocations_per_day: float = 20_000  # cart migrations and cleanups (one per customer login)
    log_events_per_invocation: float = (
        8  # START, END, REPORT + ~5 JSON events (start, store, outcome, performance, audit)
    )
    audit_events_per_invocation: float = 1  # the audit_log event, also written to the audit log group
    bytes_per_log_event: float = 400  # JSON events 300-600 B, runtime lines 60-250 B
    gb_per_month: float | None = None  # log ingestion; None: derived from the four figures above
    log_compression_ratio: float = 0.15  # gzip of JSON log lines (archived logs are billed compressed)
    never_expire_days: float = 365  # retention of a log group that never expires, for its steady state
    insights_gb_scanned: float = 0.0
    alarm_transitions_per_month: float = 60  # ALARM and OK notifications (ok_actions are set)
    kms_requests_per_notification: float = 2  # SNS: GenerateDataKey at publish, Decrypt to deliver
    lambda_avg_duration_ms: float = 250
    dynamodb_writes_per_invocation: float = (
        5  # one store: transactional delete + put (4 WRU), rate counter (1)
    )
    dynamodb_reads_per_invocation: float = 2  # guest carts, customer carts
    dynamodb_gb: float = 1.0
    dimension_values: dict[str, int] = field(default_factory=dict)  # dimension name -> distinct values
    free_tier: bool = True

    @property
    def invocations_per_month(self) -> float:
        return self.invocations_per_day * DAYS_PER_MONTH

    @property
    def log_events_per_month(self) -> float:
        return self.invocations_per_month * (
            self.log_events_per_invocation + self.audit_events_per_invocation
        )

    @property
    def ingested_gb(self) -> float:
        if self.gb_per_month is not None:
            return self.gb_per_month
        return self.log_events_per_month * self.bytes_per_log_event / GB


@dataclass
class Line:
    item: str
    price_key: str | None
    quantity: float
    free: float = 0.0
    note: str = ""

    @property
    def unit_price(self) -> float:
        return PRICES[self.price_key]["usd"] if self.price_key else 0.0

    @property
    def unit(self) -> str:
        return PRICES[self.price_key]["unit"] if self.price_key else ""

    @property
    def assumed(self) -> bool:
        return bool(self.price_key and PRICES[self.price_key]["assumed"])

    @property
    def cost(self) -> float:
        return max(0.0, self.quantity - self.free) * self.unit_price

    @property
    def cost_without_free_tier(self) -> float:
        return self.quantity * self.unit_price


@dataclass
class Estimate:
    lines: list[Line]
    assumptions: list[str]
    not_priced: list[str]

    @property
    def total(self) -> float:
        return sum(line.cost for line in self.lines)

    @property
    def total_without_free_tier(self) -> float:
        return sum(line.cost_without_free_tier for line in self.lines)
