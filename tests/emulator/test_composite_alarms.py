"""The composite-alarm engine: rule language, rule state and actions suppression (no emulator)."""

from __future__ import annotations

from typing import Any

import pytest

from cartmon_emulator.engines.composite_alarms import (
    InvalidAlarmRule,
    actions_suppression,
    parse_rule,
    rule_state,
    state_reason,
)

ARN_B = "arn:aws:cloudwatch:ap-south-1:000000000000:alarm:b"


def states(**by_name):
    return lambda reference: by_name.get(reference.rsplit(":", 1)[-1].replace("-", "_"))


@pytest.mark.parametrize(
    ("rule", "children", "expected"),
    [
        ("ALARM(a) AND ALARM(b)", {"a": "ALARM", "b": "OK"}, "OK"),
        ("ALARM(a) AND ALARM(b)", {"a": "ALARM", "b": "ALARM"}, "ALARM"),
        ("ALARM(a) OR ALARM(b)", {"a": "OK", "b": "ALARM"}, "ALARM"),
        ('ALARM("a") AND NOT ALARM("b")', {"a": "ALARM", "b": "OK"}, "ALARM"),
        ('ALARM("a") AND NOT ALARM("b")', {"a": "ALARM", "b": "ALARM"}, "OK"),
        ("OK(a) AND INSUFFICIENT_DATA(b)", {"a": "OK", "b": "INSUFFICIENT_DATA"}, "ALARM"),
        ("(ALARM(a) OR ALARM(b)) AND OK(c)", {"a": "ALARM", "b": "OK", "c": "ALARM"}, "OK"),
        ("ALARM(a) OR ALARM(b) AND OK(c)", {"a": "ALARM", "b": "OK", "c": "ALARM"}, "ALARM"),
        ("NOT (ALARM(a) OR ALARM(b))", {"a": "OK", "b": "OK"}, "ALARM"),
        ("TRUE", {}, "ALARM"),
        ("FALSE", {}, "OK"),
        ("ALARM(a) AND TRUE", {"a": "ALARM"}, "ALARM"),
        (f'ALARM("{ARN_B}")', {"b": "ALARM"}, "ALARM"),
        ("ALARM(gone)", {}, "OK"),
    ],
)
def test_rule_language(rule, children, expected):
    """PutCompositeAlarm, AlarmRule: ALARM/OK/INSUFFICIENT_DATA of a name or ARN, quoted or not, AND, OR,
    NOT, parentheses, TRUE and FALSE; the composite alarm is in ALARM when the rule is TRUE.
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutCompositeAlarm.html"""
    assert rule_state(parse_rule(rule), states(**children)) == expected


def test_references_are_listed_once_as_written():
    """API_PutCompositeAlarm: "You can use either alarm names or ARNs to reference the other alarms"."""
    rule = parse_rule(f'ALARM(a) OR OK(a) OR ALARM("{ARN_B}")')
    assert rule.references == ("a", ARN_B)


@pytest.mark.parametrize(
    "rule",
    ["ALARM(a) AND", "ALARM(a", "alarm(a)", "ALARM()", "ALARM(a) ALARM(b)", "(TRUE", "MAYBE(a)", "x" * 10241],
)
def test_invalid_rules_are_refused(rule):
    """API_PutCompositeAlarm: the rule is an expression of the documented functions and operators,
    at most 10240 characters; anything else cannot be evaluated.
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutCompositeAlarm.html"""
    with pytest.raises(InvalidAlarmRule):
        parse_rule(rule)


def test_state_reason_names_the_triggering_child():
    """The composite alarm's StateReason names the child alarm whose transition caused it, with
    StateReasonData.triggeringAlarms (as recorded against AWS in LocalStack's snapshot tests of
    test_cloudwatch.py::test_composite_alarm_creation)."""
    reason, data = state_reason("ALARM", (ARN_B, "ALARM", 1764324000.5))
    assert reason == f"{ARN_B} transitioned to ALARM at Friday 28 November, 2025 10:00:00 UTC"
    assert data == {
        "triggeringAlarms": [
            {"arn": ARN_B, "state": {"value": "ALARM", "timestamp": "2025-11-28T10:00:00.500+0000"}}
        ]
    }


def suppression(**overrides):
    arguments: dict[str, Any] = {
        "transitioned_at": 1000.0,
        "suppressor_state": "OK",
        "suppressor_left_alarm_at": None,
        "wait_period": 60,
        "extension_period": 120,
        "now": 1000.0,
    }
    arguments.update(overrides)
    return actions_suppression(**arguments)


def test_no_suppressor_runs_actions_at_once():
    """CompositeAlarm.ActionsSuppressor is optional: without it actions run on each transition.
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_CompositeAlarm.html"""
    assert suppression(suppressor_state=None).by is None


def test_suppressor_in_alarm_holds_actions():
    """ "When a suppressor alarm changes states from OK to ALARM, its composite alarm stops taking
    actions." (Suppressing composite alarm actions)
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create_Composite_Alarm_Suppression.html"""
    assert suppression(suppressor_state="ALARM", now=5000).by == "Alarm"


def test_wait_period_then_actions():
    """WaitPeriod: after a composite transition the alarm waits up to ActionsSuppressorWaitPeriod for
    the suppressor to go into ALARM, then performs its actions.
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create_Composite_Alarm_Suppression.html"""
    waiting = suppression(now=1059)
    assert (waiting.by, waiting.until) == ("WaitPeriod", 1060)
    assert suppression(now=1060).by is None


def test_extension_period_after_the_suppressor_leaves_alarm():
    """ExtensionPeriod: after the suppressor goes out of ALARM the composite alarm waits
    ActionsSuppressorExtensionPeriod seconds, then performs its actions.
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_CompositeAlarm.html"""
    held = suppression(suppressor_left_alarm_at=1030, now=1100)
    assert (held.by, held.until) == ("ExtensionPeriod", 1150)
    # The suppressor went into ALARM within the wait period: no second wait once the extension is over.
    assert suppression(suppressor_left_alarm_at=1030, now=1150).by is None
