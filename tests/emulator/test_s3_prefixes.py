"""Firehose's S3 key rules (engines.s3_prefixes), against the documented examples.

https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html
https://docs.aws.amazon.com/firehose/latest/dev/s3-object-name.html
"""

from __future__ import annotations

import datetime
import re

import pytest

from cartmon_emulator.engines.s3_prefixes import PrefixError, check_prefixes, evaluate_prefix, object_key

MOMENT = datetime.datetime(2018, 7, 6, 23, 30, 5, tzinfo=datetime.UTC)


def test_timestamp_patterns_of_the_documented_example():
    """`myPrefix/year=!{timestamp:yyyy}/...` and quoted literals evaluate as the "Example prefixes" table shows.
    https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html#s3-prefix-examples"""
    prefix = "myPrefix/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/"
    assert evaluate_prefix(prefix, MOMENT) == "myPrefix/year=2018/month=07/day=06/hour=23/"
    error_prefix = (
        "myErrorPrefix/!{timestamp:'year='yyyy'/month='MM'/day='dd'/hour='HH}/!{firehose:error-output-type}"
    )
    assert (
        evaluate_prefix(error_prefix, MOMENT, error_output_type="processing-failed")
        == "myErrorPrefix/year=2018/month=07/day=06/hour=23/processing-failed"
    )
    assert evaluate_prefix("!{timestamp:yy-M-d H:mm:ss MMM}", MOMENT) == "18-7-6 23:30:05 Jul"


def test_random_string_is_eleven_characters_and_new_each_time():
    """`!{firehose:random-string}` evaluates to a new random string of 11 characters at each instance.
    https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html#firehose-namespace"""
    evaluated = evaluate_prefix("a/!{firehose:random-string}/!{firehose:random-string}/", MOMENT)
    first, second = evaluated.split("/")[1:3]
    assert len(first) == len(second) == 11 and first != second


def test_object_key_appends_the_default_time_prefix_and_the_suffix():
    """Without a timestamp expression Firehose appends `!{timestamp:yyyy/MM/dd/HH/}`; the suffix is
    `<stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid><extension>`.
    https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html#prefix-rules
    https://docs.aws.amazon.com/firehose/latest/dev/s3-object-name.html"""
    suffix = r"archive-1-2018-07-06-23-30-05-[0-9a-f-]{36}"
    assert re.fullmatch(
        "rand=[a-z0-9]{11}/2018/07/06/23/" + suffix + r"\.gz",
        object_key("rand=!{firehose:random-string}/", "archive", "1", MOMENT, ".gz"),
    )
    assert re.fullmatch(
        "logs/y=2018/" + suffix, object_key("logs/y=!{timestamp:yyyy}/", "archive", "1", MOMENT)
    )
    # A prefix without expressions: the documented `myFirehosePrefix` example (a '/' before the time).
    assert re.fullmatch(
        "myFirehosePrefix/2018/07/06/23/" + suffix, object_key("myFirehosePrefix", "archive", "1", MOMENT)
    )
    assert re.fullmatch("2018/07/06/23/" + suffix, object_key(None, "archive", "1", MOMENT))


@pytest.mark.parametrize(
    ("prefix", "error_prefix", "message"),
    [
        ("!{timestamp:yyyy/MM/dd}", None, "ErrorOutputPrefix can't be null"),
        ("x/!{firehose:error-output-type}/", "e/!{firehose:error-output-type}", "Prefix can't contain"),
        ("x/", "e/!{timestamp:yyyy}/", "at least one instance of !{firehose:error-output-type}"),
        ("x/!{oops", "e/", "can only appear in"),
        ("x/!{partitionKeyFromQuery:customer}/", "e/!{firehose:error-output-type}", "dynamic partitioning"),
        ("x/!{timestamp:yyyy-ww}/", "e/!{firehose:error-output-type}", "'w'"),
    ],
)
def test_prefix_rules_are_enforced(prefix, error_prefix, message):
    """The "Semantic rules" of Prefix/ErrorOutputPrefix; what the emulator cannot evaluate is refused.
    https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html#prefix-rules"""
    with pytest.raises(PrefixError, match=re.escape(message)):
        check_prefixes(prefix, error_prefix)


def test_valid_prefixes_pass():
    """The documented example inputs are valid. https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html#s3-prefix-examples"""
    check_prefixes(None, "myFirehoseFailures/!{firehose:error-output-type}/")
    check_prefixes(
        "myFirehose/DeliveredYear=!{timestamp:yyyy}/anyMonth/rand=!{firehose:random-string}",
        "myFirehoseFailures/!{firehose:error-output-type}/!{timestamp:yyyy}/anyMonth/!{timestamp:dd}",
    )
    check_prefixes("myFirehosePrefix", None)
