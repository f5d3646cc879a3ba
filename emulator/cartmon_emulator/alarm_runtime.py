"""Metric and composite alarms evaluated on one cadence and one clock, replacing LocalStack's scheduler.

LocalStack evaluates a metric alarm only every EvaluationPeriods x Period seconds, stamps states and
history with wall time, and evaluates composite alarms as "any child in ALARM". Here:

* every metric alarm is evaluated by ``engines.alarm_evaluation`` on a fixed cadence
  (CARTMON_ALARM_EVALUATION_SECONDS, default 60 as in CloudWatch); alarms with a 10 s or 30 s period
  are evaluated every 10 s whatever that setting ("High-resolution alarms": CloudWatch evaluates them
  every 10 seconds), which only speeds up the others;
* after each round, and after every SetAlarmState, composite alarms are evaluated with
  ``engines.composite_alarms`` until nothing changes (a composite may reference a composite);
* every transition, metric or composite, is stamped with the emulator's clock (``clock.CLOCK``), gets
  a history entry and runs the actions of its new state (SNS publishes; the others, Lambda
  included, are recorded at `/_cartmon/deliveries`: no function runs here); a
  composite alarm's actions wait while its ActionsSuppressor holds them back;
* an alarm the engine cannot evaluate keeps INSUFFICIENT_DATA with a StateReason that says so.
"""

from __future__ import annotations

import datetime
import json
import logging
import math
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from localstack.aws.api.cloudwatch import AlarmHistoryItem, HistoryItemType
from localstack.aws.connect import connect_to
from localstack.services.cloudwatch.models import (
    LocalStackCompositeAlarm,
    LocalStackMetricAlarm,
    cloudwatch_stores,
)
from localstack.services.cloudwatch.provider_v2 import (
    _STORE_LOCK,
    create_message_response_update_composite_alarm_state_sns,
    create_message_response_update_state_lambda,
    create_message_response_update_state_sns,
)
from localstack.utils.aws import arns

from cartmon_emulator import deliveries
from cartmon_emulator.clock import CLOCK
from cartmon_emulator.engines import alarm_evaluation, composite_alarms

LOG = logging.getLogger(__name__)
HIGH_RESOLUTION_CADENCE_SECONDS = 10.0
UNEVALUATED_PREFIX = "Unchecked: the emulator does not evaluate this alarm"
MAX_COMPOSITE_PASSES = 20


@lru_cache(maxsize=512)
def parsed_rule(text: str) -> composite_alarms.Rule:
    return composite_alarms.parse_rule(text)


def _compact_json(document: dict) -> str:
    # CloudWatch writes StateReasonData and HistoryData without spaces: {"version":"1.0",...}
    return json.dumps(document, separators=(",", ":"))


def epoch_seconds(moment) -> float:
    if isinstance(moment, datetime.datetime):
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=datetime.UTC)
        return moment.timestamp()
    return float(moment or 0)


def is_high_resolution(alarm: dict) -> bool:
    periods = [alarm.get("Period")] + [
        (query.get("MetricStat") or {}).get("Period") for query in alarm.get("Metrics") or []
    ]
    return any(isinstance(p, int | float) and 0 < p < 60 for p in periods)


def find_alarm(store, reference: str):
    """An alarm of the store by ARN or by name, or None."""
    if reference in store.alarms:
        return store.alarms[reference]
    return next((a for a in store.alarms.values() if a.alarm.get("AlarmName") == reference), None)


@dataclass
class OwedActions:
    """The actions a composite transition owes, held while the actions suppressor says so."""

    state: str
    old_state: str
    transitioned_at: float
    triggering_arn: str | None


class AlarmRuntime:
    """Drop-in for LocalStack's AlarmScheduler (same methods) that also applies every transition."""

    def __init__(self, provider, interval_seconds: float):
        self.provider = provider
        self.interval_seconds = interval_seconds
        self.tick_seconds = min(interval_seconds, HIGH_RESOLUTION_CADENCE_SECONDS)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_full_round = -math.inf
        self.owed: dict[str, OwedActions] = {}
        self.left_alarm_at: dict[str, float] = {}

    # LocalStack's scheduler interface ------------------------------------------------------------

    def start(self) -> None:
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="cartmon-alarm-evaluator", daemon=True)
        self._thread.start()

    def shutdown(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(10)

    def schedule_metric_alarm(self, alarm_arn: str) -> None:
        # A new or changed alarm is evaluated at once rather than a full cadence later.
        self._last_full_round = -math.inf
        self._wake.set()

    def delete_scheduler_for_alarm(self, alarm_arn: str) -> None:
        self.owed.pop(alarm_arn, None)

    def restart_existing_alarms(self) -> None:
        self.schedule_metric_alarm("")

    # rounds -----------------------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            full = time.monotonic() - self._last_full_round >= self.interval_seconds - 1e-3
            try:
                self.evaluate_round(full=full)
            except Exception:
                LOG.exception("alarm evaluation round failed")
            if full:
                self._last_full_round = time.monotonic()
            self._wake.wait(self.tick_seconds)
            self._wake.clear()

    def evaluate_all(self) -> None:
        self.evaluate_round(full=True)

    def evaluate_round(self, full: bool) -> None:
        now = CLOCK.now()
        for account_id, regions in list(cloudwatch_stores.items()):
            for region, store in list(regions.items()):
                for alarm in list(store.alarms.values()):
                    if isinstance(alarm, LocalStackMetricAlarm) and (full or is_high_resolution(alarm.alarm)):
                        try:
                            self._evaluate_metric_alarm(account_id, region, store, alarm, now)
                        except Exception:
                            LOG.exception("evaluating %s failed", alarm.alarm.get("AlarmName"))
                self.settle_composites(account_id, region, now)

    def _evaluate_metric_alarm(self, account_id: str, region: str, store, alarm, now: float) -> None:
        def fetch(metric: dict, start: float, end: float):
            return self.provider.samples(account_id, region, metric, start, end)

        snapshot = dict(alarm.alarm)
        outcome = alarm_evaluation.evaluate_metric_alarm(snapshot, fetch, now)
        with _STORE_LOCK:
            if store.alarms.get(snapshot["AlarmArn"]) is not alarm:
                return  # deleted or replaced meanwhile
            if alarm.alarm["StateValue"] != snapshot["StateValue"] or self._set_after(alarm, now):
                # SetAlarmState landed while this round ran: the state it set stands until the next
                # evaluation, and the history keeps its order (no entry older than the one before).
                return
            if outcome.reason.startswith("unsupported: "):
                self._mark_unevaluated(alarm, outcome.reason.removeprefix("unsupported: "))
                return
            if outcome.state is None or outcome.state == alarm.alarm["StateValue"]:
                return
            self.transition(
                account_id, region, alarm, outcome.state, outcome.reason, outcome.reason_data, now
            )

    @staticmethod
    def _set_after(alarm, now: float) -> bool:
        updated = alarm.alarm.get("StateUpdatedTimestamp")
        return updated is not None and epoch_seconds(updated) > now

    @staticmethod
    def _mark_unevaluated(alarm, why: str) -> None:
        reason = f"{UNEVALUATED_PREFIX} ({why})."[:1023]
        current = alarm.alarm.get("StateReason") or ""
        if current.startswith("Unchecked:") and current != reason:
            alarm.alarm["StateReason"] = reason

    # transitions ------------------------------------------------------------------------------------

    def transition(
        self,
        account_id: str,
        region: str,
        alarm,
        state: str,
        reason: str,
        reason_data: dict | None,
        now: float,
        triggering=None,
    ) -> None:
        """Apply one state change: alarm fields, history entry, actions (composites: when not held)."""
        store = cloudwatch_stores[account_id][region]
        fields = alarm.alarm
        old_state, old_reason = fields["StateValue"], fields.get("StateReason")
        old_updated = fields.get("StateUpdatedTimestamp")
        moment = datetime.datetime.fromtimestamp(now, datetime.UTC)
        composite = isinstance(alarm, LocalStackCompositeAlarm)
        new_state: dict[str, Any] = {"stateValue": state, "stateReason": reason}
        if reason_data is not None:
            new_state["stateReasonData"] = reason_data
        history = {
            "version": "1.0",
            "oldState": {"stateValue": old_state, "stateReason": old_reason},
            "newState": new_state,
        }
        store.histories.append(
            AlarmHistoryItem(
                Timestamp=moment,
                HistoryItemType=HistoryItemType.StateUpdate,
                AlarmName=fields["AlarmName"],
                AlarmType="CompositeAlarm" if composite else "MetricAlarm",
                HistoryData=_compact_json(history),
                HistorySummary=f"Alarm updated from {old_state} to {state}",
            )
        )
        fields["StateValue"] = state
        fields["StateReason"] = reason
        if reason_data is not None:
            fields["StateReasonData"] = _compact_json(reason_data)
        else:
            fields.pop("StateReasonData", None)
        fields["StateUpdatedTimestamp"] = moment
        fields["StateTransitionedTimestamp"] = moment
        if old_state == "ALARM":
            self.left_alarm_at[fields["AlarmArn"]] = now
        if composite:
            triggering_arn = triggering.alarm["AlarmArn"] if triggering is not None else None
            self.owed[fields["AlarmArn"]] = OwedActions(state, old_state, now, triggering_arn)
            self._pay_owed_actions(account_id, region, fields["AlarmArn"], now)
        elif fields.get("ActionsEnabled", True):
            self._run_metric_actions(region, alarm, old_state, old_reason, old_updated)

    def settle_composites(self, account_id: str, region: str, now: float) -> None:
        """Evaluate every composite alarm of one account and region until none changes state."""
        store = cloudwatch_stores[account_id][region]
        with _STORE_LOCK:
            for _ in range(MAX_COMPOSITE_PASSES):
                changed = False
                for alarm in list(store.alarms.values()):
                    if isinstance(alarm, LocalStackCompositeAlarm):
                        changed |= self._evaluate_composite(account_id, region, store, alarm, now)
                if not changed:
                    break
            for arn in list(self.owed):
                self._pay_owed_actions(account_id, region, arn, now)

    def _evaluate_composite(self, account_id: str, region: str, store, alarm, now: float) -> bool:
        try:
            rule = parsed_rule(alarm.alarm["AlarmRule"])
        except composite_alarms.InvalidAlarmRule:
            return False  # refused by PutCompositeAlarm; only a stored legacy alarm can get here

        def state_of(reference: str) -> str | None:
            child = find_alarm(store, reference)
            return child.alarm["StateValue"] if child is not None else None

        state = composite_alarms.rule_state(rule, state_of)
        if state == alarm.alarm["StateValue"]:
            return False
        children = [c for c in (find_alarm(store, r) for r in rule.references) if c is not None]
        triggering = max(
            children, key=lambda c: epoch_seconds(c.alarm.get("StateTransitionedTimestamp")), default=None
        )
        trigger = None
        if triggering is not None:
            child = triggering.alarm
            trigger = (
                child["AlarmArn"],
                child["StateValue"],
                epoch_seconds(child.get("StateTransitionedTimestamp")),
            )
        reason, reason_data = composite_alarms.state_reason(state, trigger)
        self.transition(account_id, region, alarm, state, reason, reason_data, now, triggering=triggering)
        return True

    def _pay_owed_actions(self, account_id: str, region: str, arn: str, now: float) -> None:
        owed = self.owed.get(arn)
        store = cloudwatch_stores[account_id][region]
        alarm = store.alarms.get(arn)
        if owed is None or alarm is None:
            if alarm is None and arn.split(":")[3:5] == [region, account_id]:
                self.owed.pop(arn, None)
            return
        fields = alarm.alarm
        if fields["StateValue"] != owed.state:
            self.owed.pop(arn, None)
            return
        suppressor_state = left_at = None
        if fields.get("ActionsSuppressor"):
            suppressor = find_alarm(store, fields["ActionsSuppressor"])
            if suppressor is not None:
                suppressor_state = suppressor.alarm["StateValue"]
                left_at = self.left_alarm_at.get(suppressor.alarm["AlarmArn"])
        decision = composite_alarms.actions_suppression(
            transitioned_at=owed.transitioned_at,
            suppressor_state=suppressor_state,
            suppressor_left_alarm_at=left_at,
            wait_period=fields.get("ActionsSuppressorWaitPeriod") or 0,
            extension_period=fields.get("ActionsSuppressorExtensionPeriod") or 0,
            now=now,
        )
        if decision.by:
            fields["ActionsSuppressedBy"] = decision.by
            fields["ActionsSuppressedReason"] = decision.reason
            return
        fields.pop("ActionsSuppressedBy", None)
        fields.pop("ActionsSuppressedReason", None)
        self.owed.pop(arn, None)
        if fields.get("ActionsEnabled", True):
            triggering = store.alarms.get(owed.triggering_arn) if owed.triggering_arn else None
            self._run_composite_actions(region, alarm, owed.old_state, triggering)

    # actions ----------------------------------------------------------------------------------------

    @staticmethod
    def _actions_for(fields: dict) -> list[str]:
        state = fields["StateValue"]
        key = {"OK": "OKActions", "ALARM": "AlarmActions"}.get(state, "InsufficientDataActions")
        return list(fields.get(key) or [])

    def _run_metric_actions(self, region: str, alarm, old_state, old_reason, old_updated) -> None:
        fields = alarm.alarm
        for action in self._actions_for(fields):
            target = arns.parse_arn(action)
            try:
                clients = connect_to(region_name=target["region"], aws_access_key_id=target["account"])
                if target["service"] == "sns":
                    clients.sns.publish(
                        TopicArn=action,
                        Subject=f'{fields["StateValue"]}: "{fields["AlarmName"]}" in {region}',
                        Message=create_message_response_update_state_sns(alarm, old_state),
                    )
                elif target["service"] == "lambda":
                    # no function runs here: the invocation waits for a local runtime (``deliveries``)
                    payload = create_message_response_update_state_lambda(
                        alarm, old_state, old_reason, old_updated
                    )
                    deliveries.record("cloudwatch-alarm", action, fields["AlarmArn"], json.loads(payload))
                else:
                    deliveries.record("cloudwatch-alarm", action, fields["AlarmArn"], None)
            except Exception:
                LOG.exception("alarm action %s of %s failed", action, fields["AlarmName"])

    def _run_composite_actions(self, region: str, alarm, old_state, triggering) -> None:
        fields = alarm.alarm
        for action in self._actions_for(fields):
            target = arns.parse_arn(action)
            if target["service"] != "sns":
                deliveries.record("cloudwatch-alarm", action, fields["AlarmArn"], None)
                continue
            message = json.loads(
                create_message_response_update_composite_alarm_state_sns(
                    alarm, triggering or alarm, old_state
                )
            )
            if triggering is None:
                message["TriggeringChildren"] = []
            try:
                connect_to(region_name=target["region"], aws_access_key_id=target["account"]).sns.publish(
                    TopicArn=action,
                    Subject=f'{fields["StateValue"]}: "{fields["AlarmName"]}" in {region}',
                    Message=json.dumps(message),
                )
            except Exception:
                LOG.exception("alarm action %s of %s failed", action, fields["AlarmName"])
