"""High-resolution alarms are evaluated every 10 seconds whatever CARTMON_ALARM_EVALUATION_SECONDS says.

The suite's emulator evaluates every 2 seconds, which would hide the rule, so this test starts a private
emulator whose cadence (600 s) is far longer than the test: only the 10-second cadence can fire the alarm.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime

import boto3

from cartmon.project import CLIENT_CONFIG, REGION, ROOT, EmulatorClock

LAUNCHER = [sys.executable, str(ROOT / "bootstrap" / "emulator_launcher.py")]
HUNG_SECONDS = 120  # a state not reached by then is never reached: the cadence is 10 seconds


def state_within(cloudwatch, name: str, state: str) -> bool:
    """Waits for a state that must come (never to show that something did not happen)."""
    deadline = time.monotonic() + HUNG_SECONDS
    while time.monotonic() < deadline:
        if cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["StateValue"] == state:
            return True
        time.sleep(0.5)
    return False


def test_ten_second_alarm_fires_without_waiting_for_the_slow_cadence(tmp_path, aws_endpoint):
    """ "If you set an alarm on a high-resolution metric, you can specify a high-resolution alarm with a
    period of 10 seconds or 30 seconds ... High-resolution alarms [are] evaluated every 10 seconds"
    (Using Amazon CloudWatch alarms > High-resolution alarms).
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#high-resolution-alarms"""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    env.update(EMULATOR_STATE_FILE=str(tmp_path / "state.json"), CARTMON_ALARM_EVALUATION_SECONDS="600")
    started = subprocess.run(LAUNCHER + ["start"], env=env, capture_output=True, text=True, timeout=300)
    assert started.returncode == 0, started.stderr[-2000:]
    endpoint = started.stdout.strip().splitlines()[-1].split("=", 1)[1]
    try:
        cloudwatch = boto3.client(
            "cloudwatch", region_name=REGION, endpoint_url=endpoint, config=CLIENT_CONFIG
        )
        common = {
            "Namespace": "HighRes",
            "MetricName": "Spikes",
            "Statistic": "Maximum",
            "EvaluationPeriods": 1,
        }
        common.update(Threshold=5.0, ComparisonOperator="GreaterThanThreshold")
        now = EmulatorClock(endpoint).now()
        # The witness alarm proves that the round run at creation is over before the spike arrives:
        # its own datapoint puts it in ALARM in that round, which also sees the two alarms created
        # before it. After that round, only the 10-second cadence can evaluate anything again.
        cloudwatch.put_metric_data(
            Namespace="HighRes",
            MetricData=[
                {"MetricName": "Witness", "Value": 9.0, "Timestamp": datetime.fromtimestamp(now - 120, UTC)}
            ],
        )
        cloudwatch.put_metric_alarm(AlarmName="ten-seconds", Period=10, **common)
        cloudwatch.put_metric_alarm(AlarmName="one-minute", Period=60, **common)
        cloudwatch.put_metric_alarm(
            AlarmName="witness",
            Period=60,
            **{**common, "MetricName": "Witness", "EvaluationPeriods": 5},
            DatapointsToAlarm=1,
        )
        assert state_within(cloudwatch, "witness", "ALARM"), "the round at creation never ran"
        now = EmulatorClock(endpoint).now()
        cloudwatch.put_metric_data(
            Namespace="HighRes",
            MetricData=[
                {
                    "MetricName": "Spikes",
                    "Value": 9.0,
                    "StorageResolution": 1,
                    "Timestamp": datetime.fromtimestamp(now, UTC),
                }
            ],
        )
        assert state_within(cloudwatch, "ten-seconds", "ALARM")
        states = {
            a["AlarmName"]: a["StateValue"]
            for a in cloudwatch.describe_alarms(AlarmNames=["ten-seconds", "one-minute"])["MetricAlarms"]
        }
        assert states["ten-seconds"] == "ALARM"
        # The one-minute alarm waits for the 600-second cadence: nothing evaluated it again.
        assert states["one-minute"] == "INSUFFICIENT_DATA"
    finally:
        subprocess.run(LAUNCHER + ["stop"], env=env, capture_output=True, timeout=120)
