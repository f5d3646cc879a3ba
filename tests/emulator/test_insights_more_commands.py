"""The Logs Insights engine's later commands and units: time periods in weeks, unnest, filterIndex, SOURCE,
the parse variants and the command form of unmask; lookup stays refused with its reason.

Each test cites the page it follows; expected values are worked by hand in the comments. The emulator's
choices where AWS documents none are in docs/insights-emulation.md. Pure unit tests: no emulator needed.
"""

from __future__ import annotations

import json

import pytest

from cartmon_emulator.engines.insights import (
    LogEvent,
    MalformedQuery,
    UnsupportedQuery,
    parse_query,
    run_query,
)
from tests.emulator.insights_data import ACCOUNT, BASE, GROUP, STREAM, at, query, row

FUNCTIONS_PAGE = (
    "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-operations-functions.html"
)


def json_event(offset: float, body: dict, group: str = GROUP) -> LogEvent:
    return LogEvent(at(offset), json.dumps(body), STREAM, group, at(offset) + 150, ACCOUNT)


# -- time periods in weeks ---------------------------------------------------------------------------------
# FUNCTIONS_PAGE (datetime functions) lists time periods for bin/datefloor/dateceil; a week is 7 days.


def test_datefloor_and_dateceil_in_weeks_start_on_monday():
    # The event is at 2025-11-21 10:30:00 UTC, a Friday. Its week (Monday-based, the emulator's choice) runs
    # from Monday 2025-11-17 00:00 to Monday 2025-11-24 00:00.
    events = [json_event(0, {"k": 1})]
    assert query("fields datefloor(@timestamp, 1w) as f, dateceil(@timestamp, 1w) as c", events) == [
        row(("f", "2025-11-17 00:00:00.000"), ("c", "2025-11-24 00:00:00.000"))
    ]


def test_bin_by_weeks_groups_events_of_the_same_monday_based_week():
    # Offsets in days from Friday 2025-11-21 10:30: +0 (Fri) and +2 (Sun 23rd) share the week of Monday the
    # 17th; +3 (Mon 24th 10:30) starts the next one. 2w bins count weeks from Monday 1969-12-29 in pairs:
    # 2025-11-17 is 20412 days = 2916 weeks after it, even, so a 2-week bin starts on the 17th and also
    # holds the 24th: all three events.
    events = [json_event(day * 86_400, {"k": day}) for day in (0, 2, 3)]

    def four_days(text: str):
        return run_query(text, events, BASE, BASE + 4 * 86_400)

    assert four_days("stats count(*) as n by bin(1w) as week | sort week asc") == [
        row(("week", "2025-11-17 00:00:00.000"), ("n", "2")),
        row(("week", "2025-11-24 00:00:00.000"), ("n", "1")),
    ]
    assert four_days("stats count(*) as n by bin(2w) as fortnight") == [
        row(("fortnight", "2025-11-17 00:00:00.000"), ("n", "3"))
    ]


# -- unnest ------------------------------------------------------------------------------------------------
UNNEST_PAGE = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Unnest.html"


def test_unnest_gives_one_record_per_list_item_as_the_page_example():
    # UNNEST_PAGE's first example: the event {"events": [{"name": "exception"}, {"name": "user action"}]}
    # gives two records, event.name "exception" and "user action".
    events = [json_event(0, {"events": [{"name": "exception"}, {"name": "user action"}]})]
    text = "fields jsonParse(@message) as json_message | unnest json_message.events into event | display event.name"
    assert query(text, events) == [row(("event.name", "exception")), row(("event.name", "user action"))]


def test_unnest_then_filter_keeps_only_matching_items():
    # UNNEST_PAGE's second example: of the accounts a (internal), b (external), c (internal) two remain.
    accounts = [
        {"id": "a", "type": "internal"},
        {"id": "b", "type": "external"},
        {"id": "c", "type": "internal"},
    ]
    events = [json_event(0, {"accounts": accounts})]
    text = (
        'fields jsonParse(@message) as js | unnest js.accounts into account | filter account.type = "internal"'
        " | display account.id"
    )
    assert query(text, events) == [row(("account.id", "a")), row(("account.id", "c"))]


def test_unnest_for_aggregation_as_the_page_example():
    # UNNEST_PAGE's third example, over two events: account 1 drops 5 + 7 = 12 spans, account 2 drops 4;
    # sorted by n descending: (1, 12), (2, 4).
    first = {
        "trimmedData": json.dumps([{"accountId": 1, "droppedSpans": 5}, {"accountId": 2, "droppedSpans": 4}])
    }
    second = {"trimmedData": json.dumps([{"accountId": 1, "droppedSpans": 7}])}
    events = [json_event(0, first), json_event(1, second)]
    text = (
        "fields jsonParse(trimmedData) as accounts | unnest accounts into account"
        " | stats sum(account.droppedSpans) as n by account.accountId | sort n desc | limit 10"
    )
    assert query(text, events) == [
        row(("account.accountId", "1"), ("n", "12")),
        row(("account.accountId", "2"), ("n", "4")),
    ]


def test_unnest_treats_a_map_string_or_number_as_a_list_of_one_and_skips_missing_values():
    # UNNEST_PAGE: "Any other types, such as MAP, String and numbers, are treated as a list with one item".
    # The fourth event has no `v`: the emulator gives no record for it (docs/insights-emulation.md).
    events = [
        json_event(3, {"v": "text"}),
        json_event(2, {"v": 42}),
        json_event(1, {"v": {"k": 1}}),
        json_event(0, {}),
    ]
    text = "fields jsonParse(@message) as js | unnest js.v into item | display item"
    assert query(text, events) == [row(("item", "text")), row(("item", "42")), row(("item", '{"k":1}'))]


def test_unnest_needs_into():
    with pytest.raises(MalformedQuery, match="into"):
        parse_query("unnest js.events as event")


# -- filterIndex -------------------------------------------------------------------------------------------
FILTER_INDEX_PAGE = (
    "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-FilterIndex.html"
)


def test_filter_index_keeps_the_events_with_the_indexed_value_as_the_page_examples():
    # FILTER_INDEX_PAGE: `filterIndex IPaddress = "198.51.100.0"` and the IN form over two addresses.
    # Events (newest first): .2 at 2 s, .1 at 1 s, .0 at 0 s, and one without IPaddress at 3 s.
    events = [json_event(i, {"IPaddress": f"198.51.100.{i}"}) for i in range(3)] + [json_event(3, {"x": 1})]
    one = query('fields IPaddress | filterIndex IPaddress = "198.51.100.0" | limit 20', events)
    assert one == [row(("IPaddress", "198.51.100.0"))]
    two = query(
        'fields IPaddress | filterIndex IPaddress in ["198.51.100.0", "198.51.100.1"] | limit 20', events
    )
    assert two == [row(("IPaddress", "198.51.100.1")), row(("IPaddress", "198.51.100.0"))]


@pytest.mark.parametrize(
    "text",
    ['filterIndex IPaddress != "198.51.100.0"', "filterIndex IPaddress like /198/", "filterIndex 1 = 1"],
)
def test_filter_index_accepts_only_equality_or_in_on_a_field(text):
    with pytest.raises(MalformedQuery, match="filterIndex needs"):
        parse_query(text)


# -- parse: logfmt, csv, multi; json field= ----------------------------------------------------------------
PARSE_PAGE = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Parse.html"


def text_events(*messages: str) -> list[LogEvent]:
    """Plain-text events, the first newest (one second apart)."""
    return [LogEvent(at(len(messages) - i), m, STREAM, GROUP, None, ACCOUNT) for i, m in enumerate(messages)]


def test_parse_logfmt_makes_a_map_read_with_dot_notation_as_the_page_example():
    # PARSE_PAGE logfmt example: filter lf.level = "error", display lf.msg, lf.duration. Only the first line is
    # an error; its quoted msg loses its quotes.
    events = text_events(
        'level=error msg="disk full" duration=12ms host=a',
        "level=info msg=ok duration=3ms host=b",
    )
    text = 'parse @message logfmt as lf | filter lf.level = "error" | display lf.msg, lf.duration'
    assert query(text, events) == [row(("lf.msg", "disk full"), ("lf.duration", "12ms"))]


def test_parse_logfmt_then_stats_by_a_key():
    # PARSE_PAGE: `stats count(*) by lf.host`: host a twice, b once (the line without host= is its own group
    # with no value, which the result leaves out).
    events = text_events("host=a x=1", "host=b", "host=a flag", "x=2")
    result = query("parse @message logfmt as lf | stats count(*) as n by lf.host | sort n desc", events)
    assert result == [row(("lf.host", "a"), ("n", "2")), row(("lf.host", "b"), ("n", "1")), row(("n", "1"))]


def test_parse_csv_assigns_values_by_position_as_the_page_example():
    # PARSE_PAGE csv example: aliases timestamp, level, message; only the ERROR line is kept. The quoted
    # value keeps its comma (RFC 4180 quoting).
    events = text_events('2025-11-21T10:30:00Z,ERROR,"disk full, retrying"', "2025-11-21T10:30:01Z,INFO,ok")
    text = 'parse @message csv as timestamp, level, message | filter level = "ERROR" | display timestamp, message'
    assert query(text, events) == [
        row(("timestamp", "2025-11-21T10:30:00Z"), ("message", "disk full, retrying"))
    ]


def test_parse_csv_averages_a_column_as_the_page_example():
    # PARSE_PAGE: `stats avg(duration) by method`: GET (10 + 30) / 2 = 20, POST 5.
    events = text_events("h,GET,/a,200,10", "h,POST,/b,201,5", "h,GET,/c,200,30")
    text = "parse @message csv as host, method, path, status, duration | stats avg(duration) as d by method"
    assert sorted(query(text, events), key=str) == sorted(
        [row(("method", "GET"), ("d", "20")), row(("method", "POST"), ("d", "5"))], key=str
    )


def test_parse_multi_gives_one_row_per_match_as_the_page_example():
    # PARSE_PAGE multi-match example: count IP addresses over all matches. Line 1 has 10.0.0.1 and 10.0.0.2,
    # line 2 has 10.0.0.1: 10.0.0.1 twice, 10.0.0.2 once. A line without any match stays, without ip_addr.
    events = text_events("from 10.0.0.1 to 10.0.0.2", "from 10.0.0.1", "no address")
    text = r"parse @message /(\d+\.\d+\.\d+\.\d+)/ as ip_addr multi | stats count(*) as n by ip_addr | sort n desc"
    assert query(text, events) == [
        row(("ip_addr", "10.0.0.1"), ("n", "2")),
        row(("ip_addr", "10.0.0.2"), ("n", "1")),
        row(("n", "1")),
    ]


def test_json_field_extracts_a_nested_key_as_the_page_example():
    # PARSE_PAGE JSON field extraction: the payload {"user": {"name": "ana"}} gives username "ana".
    events = text_events('request done {"user": {"name": "ana"}}', "no payload here")
    text = (
        r'parse @message /(?<payload>\{.*\})/ | json field=payload "user.name" as username | display username'
    )
    assert query(text, events) == [row(("username", "ana")), []]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("parse @message logfmt as a, b", "one name"),
        ("parse @message csv", "needs 'as'"),
        ('parse @message "a=*" as a multi', "'multi' follows"),
        ('json payload "user.name" as u', "field="),
    ],
)
def test_parse_modes_reject_malformed_forms(text, message):
    with pytest.raises(MalformedQuery, match=message):
        parse_query(text)


# -- SOURCE ------------------------------------------------------------------------------------------------
SOURCE_PAGE = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Source.html"


def group_event(offset: float, group: str, account: str = ACCOUNT, log_class: str = "STANDARD") -> LogEvent:
    return LogEvent(at(offset), f"in {group}", STREAM, group, None, account, log_class)


SOURCE_EVENTS = [
    group_event(4, "/aws/lambda/cart"),
    group_event(3, "/aws/lambda/audit", account="111122223333"),
    group_event(2, "/app/web"),
    group_event(1, "/aws/lambda/archive", log_class="INFREQUENT_ACCESS"),
]


def messages_of(text: str) -> list[str]:
    return [{f["field"]: f["value"] for f in r}["@message"] for r in query(text, SOURCE_EVENTS)]


def test_source_selects_log_groups_by_name_prefix_in_the_standard_class_by_default():
    # SOURCE_PAGE: namePrefix selects groups whose names start with a prefix; without class, Standard only.
    # /aws/lambda/cart and /aws/lambda/audit match; /aws/lambda/archive is Infrequent Access; /app/web does not.
    assert messages_of("SOURCE logGroups(namePrefix: ['/aws/lambda/']) | fields @message") == [
        "in /aws/lambda/cart",
        "in /aws/lambda/audit",
    ]
    assert messages_of("SOURCE logGroups() | fields @message") == [
        "in /aws/lambda/cart",
        "in /aws/lambda/audit",
        "in /app/web",
    ]


def test_source_selects_by_class_and_account_as_the_page_examples():
    assert messages_of("SOURCE logGroups(class: ['INFREQUENT_ACCESS']) | fields @message") == [
        "in /aws/lambda/archive"
    ]
    text = "SOURCE logGroups(accountIdentifiers: ['111122223333'], namePrefix: ['/aws/', '/app/']) | fields @message"
    assert messages_of(text) == ["in /aws/lambda/audit"]
    selection = parse_query(text).source
    assert selection is not None and selection.name_prefixes == ("/aws/", "/app/")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("fields @message | SOURCE logGroups()", "first command"),
        ("SOURCE logGroups(namePrefix: ['a', 'b', 'c', 'd', 'e', 'f'])", "at most 5"),
        ("SOURCE logGroups(class: ['COLD'])", "STANDARD or INFREQUENT_ACCESS"),
        ("SOURCE logGroups(prefix: ['a'])", "namePrefix"),
        ("SOURCE groups()", "logGroups"),
    ],
)
def test_source_rejects_malformed_selections(text, message):
    with pytest.raises(MalformedQuery, match=message):
        parse_query(text)


# -- the unmask command; lookup ----------------------------------------------------------------------------
UNMASK_PAGE = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Unmask.html"


def test_unmask_command_shows_the_stored_fields_and_marks_the_query():
    # UNMASK_PAGE: unmask displays the whole content of a masked event (logs:Unmask needed). The engine reads
    # stored events, so `unmask @message` gives the stored message; Query.unmasks tells the provider.
    events = [LogEvent(at(1), "card 4111111111111111")]
    assert query("unmask @message", events) == [row(("@message", "card 4111111111111111"))]
    assert parse_query("filter @message like /card/ | unmask @message").unmasks is True
    assert parse_query("fields @message").unmasks is False


def test_lookup_is_refused_naming_the_missing_lookup_table_api():
    with pytest.raises(UnsupportedQuery, match="CreateLookupTable"):
        parse_query("fields id | lookup user_data id as id OUTPUT name")
