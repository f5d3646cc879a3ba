"""The Logs Insights engine's numeric and IP address functions, each against AWS's function reference:
https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-operations-functions.html
(sections "Arithmetic operators", "Numeric operators" and "IP address string functions").

Pure unit tests: no emulator needed. Expected values are worked by hand in the comments.
"""

from __future__ import annotations

import json

import pytest

from cartmon_emulator.engines.insights import LogEvent, MalformedQuery, parse_query
from tests.emulator.insights_data import at, query, row

FUNCTIONS_PAGE = (
    "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-operations-functions.html"
)
EXAMPLES_PAGE = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-examples.html"


def events_with(field: str, values: list) -> list[LogEvent]:
    """One JSON event per value, in time order (results come newest first unless sorted)."""
    return [LogEvent(at(index), json.dumps({field: value})) for index, value in enumerate(values)]


def test_arithmetic_operators_give_the_documented_examples():
    # FUNCTIONS_PAGE, Arithmetic operators: "2 ^ 3 returns 8", "10 % 3 returns 1".
    assert query("fields 2 ^ 3 as p, 10 % 3 as m | limit 1", events_with("x", [1])) == [
        row(("p", "8"), ("m", "1"))
    ]


def test_abs_ceil_floor_greatest_least():
    # FUNCTIONS_PAGE, Numeric operators. n = -2.25: abs = 2.25; ceil = -2 (smallest integer >= -2.25);
    # floor = -3; greatest(n, -3, 1) = 1; least(n, -3, 1) = -3.
    text = "fields abs(n) as a, ceil(n) as c, floor(n) as f, greatest(n, -3, 1) as g, least(n, -3, 1) as l"
    assert query(text, events_with("n", [-2.25])) == [
        row(("a", "2.25"), ("c", "-2"), ("f", "-3"), ("g", "1"), ("l", "-3"))
    ]


def test_sqrt_and_natural_log():
    # FUNCTIONS_PAGE, Numeric operators: log(a) is the natural logarithm, sqrt(a) the square root.
    # n = 100: sqrt = 10 (a whole double renders without ".0"); ln 100 = 2 x ln 10 = 2 x 2.302585092994046
    #          = 4.605170185988092.
    # n = 2.25: sqrt = 1.5; ln 2.25 = 2 x ln 1.5 = 2 x 0.4054651081081644 = 0.8109302162163288.
    # n = 1: sqrt = 1, ln 1 = 0.
    # n = 0 and n = -4 are outside log's domain, and -4 outside sqrt's: no value (the emulator's choice,
    # docs/insights-emulation.md), so the column is left out of the row, as for any missing value.
    rows = query(
        "fields n, sqrt(n) as root, log(n) as ln | sort n desc", events_with("n", [2.25, 0, 100, -4, 1])
    )
    assert rows == [
        row(("n", "100"), ("root", "10"), ("ln", "4.605170185988092")),
        row(("n", "2.25"), ("root", "1.5"), ("ln", "0.8109302162163288")),
        row(("n", "1"), ("root", "1"), ("ln", "0")),
        row(("n", "0"), ("root", "0")),
        row(("n", "-4")),
    ]


def test_math_functions_compose_with_arithmetic_in_filter():
    # sqrt(n) > 9 keeps n = 100 only (sqrt 100 = 10; sqrt 2.25 = 1.5; sqrt 1 = 1); log(100) / log(10) = 2.
    rows = query(
        "filter sqrt(n) > 9 | fields n, log(n) / log(10) as digits", events_with("n", [2.25, 100, 1])
    )
    assert rows == [row(("n", "100"), ("digits", "2"))]


IPS = [
    "192.0.2.44",  # IPv4 inside 192.0.2.0/24
    "2001:db8::8a2e:370:7334",  # IPv6 inside 2001:db8::/32
    "192.0.2.300",  # not an address: an octet above 255
    "10.1.2.3",  # IPv4 outside 192.0.2.0/24
    "not-an-ip",
]


def test_ip_validity_and_subnet_functions():
    # FUNCTIONS_PAGE, IP address string functions. Worked by hand, one row per address, in the documented
    # sort order (digit runs compare by length first, so "44" sorts before "300"):
    #   address                  any v4 v6 | in(v4 net) v4in | in(v6 net) v6in
    #   10.1.2.3                  1   1  0  |     0       0   |     0       0     (first octet 10 != 192)
    #   192.0.2.44                1   1  0  |     1       1   |     0       0     (192.0.2 = the /24 prefix)
    #   192.0.2.300               0   0  0  |     0       0   |     0       0     (300 > 255)
    #   2001:db8::8a2e:370:7334   1   0  1  |     0       0   |     1       1     (2001:0db8 = the /32 prefix)
    #   not-an-ip                 0   0  0  |     0       0   |     0       0
    text = (
        "fields ip, isValidIp(ip) as any, isValidIpV4(ip) as v4, isValidIpV6(ip) as v6, "
        'isIpInSubnet(ip, "192.0.2.0/24") as in4, isIpv4InSubnet(ip, "192.0.2.0/24") as v4in, '
        'isIpInSubnet(ip, "2001:db8::/32") as in6, isIpv6InSubnet(ip, "2001:db8::/32") as v6in '
        "| sort ip asc"
    )
    columns = ("any", "v4", "v6", "in4", "v4in", "in6", "v6in")
    expected = {
        "10.1.2.3": "1100000",
        "192.0.2.44": "1101100",
        "192.0.2.300": "0000000",
        "2001:db8::8a2e:370:7334": "1010011",
        "not-an-ip": "0000000",
    }
    assert query(text, events_with("ip", IPS)) == [
        row(("ip", ip), *zip(columns, bits, strict=True)) for ip, bits in expected.items()
    ]


def test_ipv4_family_functions_refuse_the_other_version_and_a_missing_field_gives_no_value():
    # An IPv6 subnet never contains an IPv4 address and vice versa; isIpv4InSubnet with an IPv6 subnet is
    # false even for a valid IPv6 address. A missing field gives no value (docs/insights-emulation.md).
    events = [LogEvent(at(1), json.dumps({"ip": "2001:db8::1"})), LogEvent(at(2), json.dumps({"other": 1}))]
    text = (
        'fields isIpv4InSubnet(ip, "2001:db8::/32") as v4in, isIpv6InSubnet(ip, "192.0.2.0/24") as v6in, '
        "isValidIpV4(ip) as v4"
    )
    assert query(text, events) == [[], row(("v4in", "0"), ("v6in", "0"), ("v4", "0"))]


def test_subnet_with_host_bits_set_means_its_network():
    # The emulator's choice (docs/insights-emulation.md): 192.0.2.7/24 is read as 192.0.2.0/24, so
    # 192.0.2.200 is inside; a subnet that is not CIDR ("192.0.2.0" without a prefix length) matches nothing.
    events = events_with("ip", ["192.0.2.200"])
    assert query('fields isIpInSubnet(ip, "192.0.2.7/24") as inside', events) == [row(("inside", "1"))]
    assert query('fields isIpInSubnet(ip, "192.0.2.0") as inside', events) == [row(("inside", "0"))]


def test_vpc_flow_log_sample_query_sums_bytes_per_destination_for_a_subnet():
    # EXAMPLES_PAGE, "Find the top 15 byte transfers for hosts on a given subnet".
    # Sources in 192.0.2.0/24: .10 -> 10.0.0.1 (500), .99 -> 10.0.0.1 (700), .10 -> 10.0.0.2 (2000);
    # 198.51.100.1 is outside. Sums: 10.0.0.2 = 2000, 10.0.0.1 = 500 + 700 = 1200; sorted descending.
    flows = [
        ("192.0.2.10", "10.0.0.1", 500),
        ("192.0.2.99", "10.0.0.1", 700),
        ("192.0.2.10", "10.0.0.2", 2000),
        ("198.51.100.1", "10.0.0.1", 9999),
    ]
    events = [
        LogEvent(at(i), json.dumps({"srcAddr": src, "dstAddr": dst, "bytes": size}))
        for i, (src, dst, size) in enumerate(flows)
    ]
    text = (
        'filter isIpv4InSubnet(srcAddr, "192.0.2.0/24") | stats sum(bytes) as bytesTransferred by dstAddr '
        "| sort bytesTransferred desc | limit 15"
    )
    assert query(text, events) == [
        row(("dstAddr", "10.0.0.2"), ("bytesTransferred", "2000")),
        row(("dstAddr", "10.0.0.1"), ("bytesTransferred", "1200")),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("fields log(a, b)", r"log\(\) takes 1 argument"),
        ("fields sqrt()", r"sqrt\(\) takes 1 argument"),
        ("fields isIpInSubnet(ip)", r"isIpInSubnet\(\) takes 2 argument"),
        ("fields isValidIpV6(ip, ip)", r"isValidIpV6\(\) takes 1 argument"),
    ],
)
def test_new_functions_check_their_argument_count(text, message):
    with pytest.raises(MalformedQuery, match=message):
        parse_query(text)


def test_string_functions_give_the_documented_examples():
    # FUNCTIONS_PAGE, String functions: ltrim("xyZfooxyZ","xyZ") = "fooxyZ", rtrim(...) = "xyZfoo",
    # trim(...) = "foo", substr("xyZfooxyZ", 3, 3) = "foo" (0-based start 3, length 3),
    # replace("foo", "o", "0") = "f00", strcontains("foo", "oo") = 1.
    text = (
        'fields ltrim("xyZfooxyZ", "xyZ") as l, rtrim("xyZfooxyZ", "xyZ") as r, trim("xyZfooxyZ", "xyZ") as t, '
        'substr("xyZfooxyZ", 3, 3) as s, replace("foo", "o", "0") as p, strcontains("foo", "oo") as c'
    )
    assert query(text, events_with("x", [1])) == [
        row(("l", "fooxyZ"), ("r", "xyZfoo"), ("t", "foo"), ("s", "foo"), ("p", "f00"), ("c", "1"))
    ]


def test_frommillis_and_tomillis_give_the_documented_example():
    # FUNCTIONS_PAGE, Datetime functions: toMillis turns 2022-01-14T13:18:31.000-08:00 into 1642195111000.
    # 13:18:31 at UTC-8 is 21:18:31 UTC, which fromMillis gives back as a timestamp (results show UTC).
    text = "fields fromMillis(ms) as t, toMillis(fromMillis(ms)) as back"
    assert query(text, events_with("ms", [1642195111000])) == [
        row(("t", "2022-01-14 21:18:31.000"), ("back", "1642195111000"))
    ]


def test_unmask_returns_the_stored_value_and_marks_the_query():
    # https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/mask-sensitive-log-data.html: the example
    # "fields @timestamp, @message, unmask(@message)" shows the event unmasked. The engine reads stored events,
    # so the column holds the stored message; Query.unmasks tells the logs provider not to mask it.
    events = [LogEvent(at(1), "card 4111111111111111")]
    text = "fields @timestamp, @message, unmask(@message)"
    assert query(text, events) == [
        row(
            ("@timestamp", "2025-11-21 10:30:01.000"),
            ("@message", "card 4111111111111111"),
            ("unmask(@message)", "card 4111111111111111"),
        )
    ]
    assert parse_query(text).unmasks is True
    assert parse_query("fields @timestamp, @message").unmasks is False


# -- structure types and JSON functions ----------------------------------------------------------------------

API_CALLS = [
    {"status_code": 200, "users": [{"action": "GetData"}, {"action": "PutData"}], "meta": {"region": "eu"}},
    {"status_code": 500, "users": [{"action": "GetData"}]},
    {"status_code": 200, "users": [{"action": "GetData"}, {"action": "GetData"}]},
]


def api_call_events(messages: list) -> list[LogEvent]:
    # A text prefix keeps Insights from discovering the JSON itself; only jsonParse reads it.
    return [LogEvent(at(i), "call " + json.dumps(body)) for i, body in enumerate(messages)]


def test_json_parse_makes_a_map_that_stats_can_group_by_with_dot_access():
    # FUNCTIONS_PAGE, Structure types: "fields jsonParse(@message) as json_message | stats count() by
    # json_message.status_code". Here the JSON follows "call ", so parse cuts it out first.
    # status 200 twice (calls 0 and 2), 500 once; groups in first appearance newest first: 200 (call 2), 500.
    text = (
        'parse @message "call *" as body | fields jsonParse(body) as json_message '
        "| stats count() as n by json_message.status_code"
    )
    assert query(text, api_call_events(API_CALLS)) == [
        row(("json_message.status_code", "200"), ("n", "2")),
        row(("json_message.status_code", "500"), ("n", "1")),
    ]


def test_bracket_access_then_member_access_filters_on_a_list_element():
    # FUNCTIONS_PAGE, Structure types: filter json_message.users[1].action = "PutData". Only call 0 has a
    # second user whose action is PutData; call 1 has no users[1] (no value, so not selected).
    text = (
        'parse @message "call *" as body | fields jsonParse(body) as json_message '
        '| filter json_message.users[1].action = "PutData" | display json_message.meta.region'
    )
    assert query(text, api_call_events(API_CALLS)) == [row(("json_message.meta.region", "eu"))]


def test_json_parse_of_non_json_has_no_value_and_json_stringify_gives_compact_text():
    # FUNCTIONS_PAGE, JSON functions: jsonParse returns a map or list for JSON object/array text and
    # nothing otherwise ("42" is JSON but neither); jsonStringify gives the JSON text of a map or list.
    events = events_with("s", ['{"a": [1, 2.5]}', "not json", "42"])
    text = 'fields jsonStringify(jsonParse(s)) as back, jsonParse(s)["a"][1] as second | sort s asc'
    # Sorted ascending: text before numbers, "n" (0x6E) before "{" (0x7B), then the number 42.
    assert query(text, events) == [
        [],
        row(("back", '{"a":[1,2.5]}'), ("second", "2.5")),
        [],
    ]


def test_backticks_name_a_member_with_special_characters():
    # FUNCTIONS_PAGE, Structure types: a member whose name has special characters is wrapped in backticks,
    # map.attributes.`special.char`. Here the member "special.char" holds 7 and the path continues after it.
    body = {"attributes": {"special.char": {"v": 7}, "special": {"char": 1}}}
    text = (
        'parse @message "call *" as body | fields jsonParse(body) as m '
        "| display m.attributes.`special.char`.v, m.attributes.special.char"
    )
    assert query(text, api_call_events([body])) == [
        row(("m.attributes.`special.char`.v", "7"), ("m.attributes.special.char", "1"))
    ]
