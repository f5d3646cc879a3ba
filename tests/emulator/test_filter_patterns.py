"""Tests for the CloudWatch Logs filter pattern engine (cartmon_emulator.engines.filter_patterns).

Examples marked "doc" are taken verbatim from the AWS CloudWatch Logs User Guide page "Filter pattern
syntax for metric filters, subscription filters, filter log events, and Live Tail" (current and the
earlier "Filter and pattern syntax" revisions), its regex / JSON sub-pages, "Filter pattern syntax for
metric filters" and "Example: Extract fields from an Apache log". Examples marked "API" are the
TestMetricFilter examples from the CloudWatch Logs API reference, with their documented responses.

Over 600 lines: the documentation's examples one by one, as data.
"""

from __future__ import annotations

import json

import pytest

from cartmon_emulator.engines.filter_patterns import (
    InvalidFilterPattern,
    MetricDatum,
    Pattern,
    compile_pattern,
    default_datum,
    evaluate_transformation,
    validate_transformation,
)


def matching(pattern: str, messages: list[str]) -> list[str]:
    compiled = compile_pattern(pattern)
    return [m for m in messages if compiled.matches(m)]


def assert_invalid(pattern: str, message: str = "Invalid metric filter pattern") -> InvalidFilterPattern:
    with pytest.raises(InvalidFilterPattern) as info:
        compile_pattern(pattern)
    assert str(info.value) == message
    assert info.value.detail
    return info.value


# ==================================================================================================
# Unstructured log events: terms, phrases, include / exclude / optional, match everything
# ==================================================================================================

BRACKETED_EVENTS = [
    "[ERROR 400] BAD REQUEST",
    "[ERROR 401] UNAUTHORIZED REQUEST",
    "[ERROR 419] MISSING ARGUMENTS",
    "[ERROR 420] INVALID ARGUMENTS",
]


def test_doc_single_term_matches_every_error_event():
    assert matching("ERROR", BRACKETED_EVENTS + ["[INFO 200] OK"]) == BRACKETED_EVENTS


def test_doc_multiple_terms_require_all_terms():
    assert matching("ERROR ARGUMENTS", BRACKETED_EVENTS) == [
        "[ERROR 419] MISSING ARGUMENTS",
        "[ERROR 420] INVALID ARGUMENTS",
    ]


def test_doc_optional_terms_match_any_term():
    assert matching("?ERROR ?ARGUMENTS", BRACKETED_EVENTS) == BRACKETED_EVENTS
    assert matching("?ERROR ?ARGUMENTS", ["[INFO] all good", "bad ARGUMENTS"]) == ["bad ARGUMENTS"]


def test_doc_optional_terms_are_ignored_when_combined_with_other_terms():
    events = [
        "[INFO] REQUEST FAILED",
        "[WARN] UNAUTHORIZED REQUEST",
        "[ERROR] 400 BAD REQUEST",
        "[ERROR] 500",
    ]
    # "matches all events containing the word REQUEST, but the question mark filter terms are ignored"
    assert matching("?ERROR ?ARGUMENTS REQUEST", events) == events[:3]


def test_optional_terms_are_ignored_when_combined_with_exclude_terms():
    assert matching("?ERROR -DEBUG", ["WARN x", "ERROR DEBUG", "DEBUG"]) == ["WARN x"]


def test_doc_exact_phrase():
    events = [
        "[ERROR 500] INTERNAL SERVER ERROR",
        "[ERROR 500] INTERNAL ERROR SERVER",
        "INTERNAL  SERVER ERROR",
    ]
    assert matching('"INTERNAL SERVER ERROR"', events) == ["[ERROR 500] INTERNAL SERVER ERROR"]


def test_doc_include_and_exclude_terms():
    assert matching("ERROR -ARGUMENTS", BRACKETED_EVENTS) == BRACKETED_EVENTS[:2]


@pytest.mark.parametrize("pattern", ['" "', '""', "", "   ", '"   "'])
def test_doc_match_everything(pattern):
    compiled = compile_pattern(pattern)
    assert compiled.kind == "match_all"
    assert compiled.matches("anything at all")
    assert compiled.matches("")
    assert compiled.extract("x") == {}


def test_doc_old_guide_single_term_examples():
    events = ["[ERROR] A fatal exception has occurred", "Exiting with ERRORCODE: -1", "[INFO] fine"]
    assert matching('"ERROR"', events) == events[:2]
    # '"ERROR" - "Exiting"' excludes "Exiting with ERRORCODE: -1" (detached minus, as the guide writes it)
    assert matching('"ERROR" - "Exiting"', events) == events[:1]


def test_doc_old_guide_multiple_terms_examples():
    assert (
        matching(
            '"ERROR Exception"', ["[ERROR] Caught IllegalArgumentException", "[ERROR] Unhandled Exception"]
        )
        == []
    )  # a quoted pair is one phrase
    assert matching(
        "ERROR Exception",
        ["[ERROR] Caught IllegalArgumentException", "[ERROR] Unhandled Exception", "ERROR only"],
    ) == ["[ERROR] Caught IllegalArgumentException", "[ERROR] Unhandled Exception"]
    assert matching(
        "Failed to process the request",
        [
            "[WARN] Failed to process the request",
            "[ERROR] Unable to continue: Failed to process the request",
            "[ERROR] Failed to process",
        ],
    ) == ["[WARN] Failed to process the request", "[ERROR] Unable to continue: Failed to process the request"]


def test_doc_old_guide_or_examples_on_unstructured_events():
    events = ["ERROR WARN message", "ERROR message", "WARN message"]
    assert matching("ERROR", events) == events[:2]
    assert matching("?ERROR ?WARN", events) == events
    assert matching("ERROR WARN", events) == events[:1]
    assert matching("ERROR -WARN", events) == events[1:2]


API_APP_EVENTS = [
    "02 May 2014 00:34:12,525 [INFO] Starting the application",
    "02 May 2014 00:35:14,245 [DEBUG] Database connection established",
    "02 May 2014 00:34:14,663 [INFO] Executing SQL Query",
    "02 May 2014 00:34:16,142 [ERROR] Unhanded exception: InvalidQueryException",
    "02 May 2014 00:34:16,224 [ERROR] Terminating the application",
]


def test_api_quoted_bracketed_term():
    compiled = compile_pattern('"[ERROR]"')
    assert [i for i, m in enumerate(API_APP_EVENTS) if compiled.matches(m)] == [3, 4]
    assert compiled.extract(API_APP_EVENTS[3]) == {}


def test_api_term_matches_inside_a_word_and_is_case_sensitive():
    # "Exception" matches "InvalidQueryException" but not "exception:" (documented response: event 3 only)
    compiled = compile_pattern('"[ERROR]" Exception')
    assert [i for i, m in enumerate(API_APP_EVENTS) if compiled.matches(m)] == [3]


def test_terms_are_case_sensitive():
    assert matching("ERROR", ["error", "Error", "ERROR"]) == ["ERROR"]


def test_exclude_only_pattern_matches_events_without_the_term():
    assert matching("-DEBUG", ["INFO ok", "DEBUG noise"]) == ["INFO ok"]


def test_optional_quoted_phrases():
    events = ["Task timed out after 3.00 seconds", "Process exited before completing request", "done"]
    assert matching('?"Task timed out" ?"Process exited"', events) == events[:2]


def test_quoted_term_supports_escaped_quotes():
    assert matching(r'"say \"hi\""', ['they say "hi" there', "they say hi"]) == ['they say "hi" there']


def test_terms_with_punctuation_match_as_substrings():
    assert matching("status=500", ["status=500 path=/", "status=200"]) == ["status=500 path=/"]
    assert matching('"Status: 500"', ["HTTP Status: 500", "Status:500"]) == ["HTTP Status: 500"]


@pytest.mark.parametrize(
    "pattern",
    [
        '"unterminated',
        'ERROR "a"b',
        "ERROR -",
        "?",
        "--x",
        "-?x",
        'ab"c',
        "ERROR [main]",
        "ERROR {x}",
        "ERROR %x%",
    ],
)
def test_invalid_unstructured_patterns(pattern):
    assert_invalid(pattern)


def test_compile_rejects_non_strings() -> None:
    with pytest.raises(TypeError):
        compile_pattern(42)  # lru_cache's wrapper takes any hashable argument


# ==================================================================================================
# Regular expressions
# ==================================================================================================


def test_doc_regex_authorized():
    compiled = compile_pattern("%AUTHORIZED%")
    assert compiled.kind == "regex"
    assert compiled.regex_count == 1
    assert matching(
        "%AUTHORIZED%", ["[ERROR 401] UNAUTHORIZED REQUEST", "[SUCCESS 200] AUTHORIZED REQUEST"]
    ) == [
        "[ERROR 401] UNAUTHORIZED REQUEST",
        "[SUCCESS 200] AUTHORIZED REQUEST",
    ]
    assert not compiled.matches("authorized")
    assert compiled.extract("AUTHORIZED") == {}


@pytest.mark.parametrize(
    "pattern, matches, non_matches",
    [
        # doc: "matches hat and cat, but only at the beginning of a string"
        ("%^[hc]at%", ["hat trick", "cat"], ["a hat", "bat"]),
        ("%[hc]at$%", ["a hat", "cat"], ["hat trick", "hat\n"]),
        ("%colou?r%", ["color", "colour"], ["colouur"]),
        ("%[abc]%", ["a", "b", "c"], ["d"]),
        ("%[a-z]%", ["q"], ["Q9"]),
        ("%[abcx-z]%", ["a", "b", "c", "x", "y", "z"], ["d", "w"]),
        ("%a{3,5}%", ["aaa", "aaaa", "aaaaa"], ["aa", "a"]),
        ("%a{3,}%", ["aaa", "aaaaaaa"], ["aa"]),
        ("%^a{,2}b%", ["b", "ab", "aab"], ["aaab"]),
        ("%gra|ey%", ["gray", "grey"], ["gruy"]),
        (
            "%^starting|^initializing|^shutting down%",
            ["starting ...", "initializing ...", "shutting down"],
            ["skipping initializing ..."],
        ),
        # doc: "%abcc|ab[^c]$" (the guide omits the closing %) "won't match aac ..."
        ("%abcc|ab[^c]$%", ["abcc ...", "aba"], ["aac ...", "abc"]),
        ("%\\[.\\]%", ["[a]", "[b]", "[7]", "[@]", "[]]", "[ ]"], ["[]", "[ab]"]),
        ("%10\\.10\\.0\\.1%", ["10.10.0.1"], ["10010,051"]),
        ("%10.10.0.1%", ["10.10.0.1", "10010,051"], ["10.10.0"]),
        ("%ab*c%", ["ac", "abc", "abbbc"], ["adc"]),
        ("%ab[0-9]*%", ["ab", "ab0", "ab129"], ["a b"]),
        ("%ab+c%", ["abc", "abbc", "abbbc"], ["ac"]),
        ("%.at%", ["hat", "cat", "bat", "4at", "#at", " at"], ["at"]),
        ("%\\d%", ["a1"], ["abc"]),
        ("%^\\D+$%", ["abc"], ["a1"]),
        ("%a\\sb%", ["a b", "a\tb", "a\nb"], ["ab"]),
        ("%^\\S+$%", ["ab"], ["a b"]),
        ("%^\\w+$%", ["a_Z9"], ["a-b", "é"]),
        ("%\\W%", ["a-b"], ["ab_9"]),
        ("%\\x3A%", [":"], ["x3A"]),
        ("%\\x28%", ["("], ["x28"]),
        ("%\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}%", ["from 192.168.0.1 ok"], ["192.168.0"]),
        ("%[Ee]rror|[Ff]ail%", ["Error", "error", "Fail", "fail"], ["ERROR", "FAIL"]),
        ("%a.b%", ["a\nb"], ["ab"]),
        ("%a{3, 5}%", ["aaa"], ["aa"]),
        ("%x{y%", ["x{y"], ["xy"]),
    ],
)
def test_doc_regex_operators(pattern, matches, non_matches):
    compiled = compile_pattern(pattern)
    for message in matches:
        assert compiled.matches(message), (pattern, message)
    for message in non_matches:
        assert not compiled.matches(message), (pattern, message)


@pytest.mark.parametrize("pattern", ["%something!%", "%(ab)+%", "%\\(x\\)%", "%caf\u00e9%", '%"x"%', "%a<b%"])
def test_doc_regex_unsupported_characters_are_rejected(pattern):
    assert_invalid(pattern, "Invalid character(s) in term")


@pytest.mark.parametrize("pattern", ["%%", "%[abc%", "%*a%", "%a**%", "%a\\%", "%\\b%", "%\\xZZ%", "%a%b%"])
def test_invalid_regexes(pattern):
    assert_invalid(pattern)


# ==================================================================================================
# JSON log events
# ==================================================================================================

# doc: the sample JSON log event of the current guide (entered "on a single line")
JSON_EVENT = json.dumps(
    {
        "eventType": "UpdateTrail",
        "sourceIPAddress": "111.111.111.111",
        "arrayKey": ["value", "another value"],
        "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}],
        "SomeObject": None,
        "cluster.name": "c",
    }
)

# doc: the older guide's sample event, which also has ThisFlag
OLD_JSON_EVENT = json.dumps(
    {
        "eventType": "UpdateTrail",
        "sourceIPAddress": "111.111.111.111",
        "arrayKey": ["value", "another value"],
        "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}],
        "SomeObject": None,
        "ThisFlag": True,
    }
)


@pytest.mark.parametrize(
    "pattern",
    [
        '{ $.eventType = "UpdateTrail" }',
        "{ $.sourceIPAddress != 123.123.* }",
        '{ $.arrayKey[0] = "value" }',
        "{ $.eventType = %Trail% }",
        "{ $.arrayKey[*] = %val.{2}% }",
        "{ $.* = %111\\.111\\.111\\.1[0-9]{1,2}% }",
        "{ $.['cluster.name'] = \"c\" }",
        "{ $.SomeObject IS NULL }",
        "{ $.SomeOtherObject NOT EXISTS }",
        "{ $.objectList[1].id = 2 }",
    ],
)
def test_doc_json_patterns_match_the_sample_event(pattern):
    compiled = compile_pattern(pattern)
    assert compiled.kind == "json"
    assert compiled.matches(JSON_EVENT)


@pytest.mark.parametrize(
    "pattern",
    [
        '{ $.eventType = "UpdateTrail" }',
        "{ $.sourceIPAddress != 123.123.* }",
        '{ $.arrayKey[0] = "value" }',
        "{ $.objectList[1].id = 2 }",
        "{ $.SomeObject IS NULL }",
        "{ $.SomeOtherObject NOT EXISTS }",
        "{ $.ThisFlag IS TRUE }",
    ],
)
def test_doc_old_guide_json_patterns_match_the_sample_event(pattern):
    assert compile_pattern(pattern).matches(OLD_JSON_EVENT)


@pytest.mark.parametrize(
    "pattern",
    [
        '{ $.eventType = "UpdateTrai" }',
        "{ $.sourceIPAddress != 111.111.* }",
        '{ $.arrayKey[1] = "value" }',
        "{ $.eventType = %^Trail% }",
        "{ $.objectList[1].id = 1 }",
        "{ $.objectList[2].id = 2 }",
        "{ $.eventType IS NULL }",
        "{ $.SomeObject NOT EXISTS }",
        "{ $.ThisFlag IS FALSE }",
        "{ $.SomeObject IS TRUE }",
        '{ $.cluster.name = "c" }',
        "{ $.arrayKey[*] = %^x% }",
    ],
)
def test_json_patterns_that_do_not_match_the_sample_event(pattern):
    assert not compile_pattern(pattern).matches(OLD_JSON_EVENT if "ThisFlag" in pattern else JSON_EVENT)


def test_doc_json_wildcard_string_examples():
    # doc: "*Event will match PutEvent and GetEvent. Event* will match EventId and EventName.
    # Ev*ent will only match the actual string Ev*ent."
    def names(pattern: str, values: list[str]) -> list[str]:
        compiled = compile_pattern(pattern)
        return [v for v in values if compiled.matches(json.dumps({"eventName": v}))]

    values = ["PutEvent", "GetEvent", "EventId", "EventName", "Ev*ent", "Evxent", "Other"]
    assert names("{ $.eventName = *Event }", values) == ["PutEvent", "GetEvent"]
    assert names("{ $.eventName = Event* }", values) == ["EventId", "EventName"]
    assert names('{ $.eventName = "Ev*ent" }', values) == ["Ev*ent"]
    assert names('{ $.eventName = "*" }', values) == values
    assert names('{ $.eventName = "*ven*" }', values) == ["PutEvent", "GetEvent", "EventId", "EventName"]


# doc: the compound-expression sample object
COMPOUND_EVENT = json.dumps(
    {
        "user": {"id": 1, "email": "John.Stiles@example.com"},
        "users": [{"id": 2, "email": "John.Doe@example.com"}, {"id": 3, "email": "Jane.Doe@example.com"}],
        "actions": ["GET", "PUT", "DELETE"],
        "coordinates": [[0, 1, 2], [4, 5, 6], [7, 8, 9]],
    }
)


@pytest.mark.parametrize(
    "pattern, expected",
    [
        ('{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', True),
        (
            (
                '{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch" '
                '&& $.actions[2] = "nonmatch" }'
            ),
            True,
        ),
        (
            (
                '{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch") '
                '&& $.actions[2] = "nonmatch" }'
            ),
            False,
        ),
        ('{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }', False),
        # the older guide's spellings of the same examples, with unquoted values
        (
            '{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }',
            True,
        ),
        (
            '{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }',
            False,
        ),
    ],
)
def test_doc_compound_expressions(pattern, expected):
    assert compile_pattern(pattern).matches(COMPOUND_EVENT) is expected


def test_and_binds_tighter_than_or():
    event = json.dumps({"a": 1, "b": 2, "c": 3})
    assert compile_pattern("{ $.a = 1 || $.b = 9 && $.c = 9 }").matches(event)
    assert not compile_pattern("{ ($.a = 1 || $.b = 9) && $.c = 9 }").matches(event)
    assert compile_pattern("{ $.a = 9 && $.b = 9 || $.c = 3 }").matches(event)
    assert not compile_pattern("{ $.a = 9 && ($.b = 9 || $.c = 3) }").matches(event)


def test_doc_old_guide_or_examples_on_json_events():
    events = ['{"foo": "bar"}', '{"foo": "baz"}']
    assert matching("{$.foo = bar}", events) == events[:1]
    assert matching("{$.foo = baz }", events) == events[1:]
    assert matching("{$.foo = bar || $.foo = baz }", events) == events


def test_doc_selector_pointing_to_array_or_object_never_matches():
    event = '{"users": [1, 2, 3], "obj": {"a": 1}}'
    assert not compile_pattern("{$.users = 1}").matches(event)
    assert not compile_pattern("{$.users != 1}").matches(event)
    assert not compile_pattern("{$.obj != 1}").matches(event)
    assert not compile_pattern("{$.obj = *}").matches(event)


def test_doc_array_and_object_list_selectors_fail_on_wrong_shapes():
    # doc: "If arrayKey is not an array this will be false"; "If the items in objectList are not objects
    # or do not have an id property, this will be false."
    assert not compile_pattern('{ $.arrayKey[0] = "value" }').matches('{"arrayKey": "value"}')
    assert not compile_pattern("{ $.objectList[1].id = 2 }").matches('{"objectList": [1, 2]}')
    assert not compile_pattern("{ $.objectList[1].id = 2 }").matches('{"objectList": [{}, {"name": "b"}]}')


def test_json_pattern_never_matches_non_json_or_scalar_events():
    for pattern in ["{ $.a NOT EXISTS }", "{ $.a = * }", "{ $.a != 1 }"]:
        compiled = compile_pattern(pattern)
        for message in ["ERROR something", "42", '"text"', "true", "null", "{not json}", "", '{"a": NaN}']:
            assert not compiled.matches(message), (pattern, message)
            assert compiled.extract(message) is None


def test_missing_field_fails_both_equal_and_not_equal():
    event = '{"other": 1}'
    assert not compile_pattern("{ $.status = 500 }").matches(event)
    assert not compile_pattern("{ $.status != 500 }").matches(event)
    assert compile_pattern("{ $.status NOT EXISTS }").matches(event)


def test_is_checks_distinguish_null_booleans_and_numbers():
    event = '{"n": null, "t": true, "f": false, "one": 1, "zero": 0, "s": "true"}'
    assert compile_pattern("{ $.n IS NULL }").matches(event)
    assert compile_pattern("{ $.t IS TRUE }").matches(event)
    assert compile_pattern("{ $.f IS FALSE }").matches(event)
    assert not compile_pattern("{ $.one IS TRUE }").matches(event)
    assert not compile_pattern("{ $.zero IS FALSE }").matches(event)
    assert not compile_pattern("{ $.s IS TRUE }").matches(event)
    assert not compile_pattern("{ $.missing IS NULL }").matches(event)
    assert compile_pattern("{ $.t is true }").matches(event)  # keywords are not case-sensitive here


@pytest.mark.parametrize(
    "pattern, value, expected",
    [
        # doc numeric examples (the guide lists the patterns; the values here exercise them)
        ("{ $.bandwidth > 75 }", 76, True),
        ("{ $.bandwidth > 75 }", 75, False),
        ("{ $.latency < 50 }", 49.9, True),
        ("{ $.latency < 50 }", 50, False),
        ("{ $.refreshRate >= 60 }", 60, True),
        ("{ $.refreshRate >= 60 }", 59, False),
        ("{ $.responseTime <= 5 }", 5, True),
        ("{ $.responseTime <= 5 }", 5.01, False),
        ("{ $.errorCode = 400}", 400, True),
        ("{ $.errorCode = 400}", 400.0, True),
        ("{ $.errorCode = 400}", 401, False),
        ("{ $.errorCode != 500 }", 400, True),
        ("{ $.errorCode != 500 }", 500, False),
        ("{ $.latency >= 500 }", 500, True),
        ("{ $.latency > +1000 }", 1001, True),
        ("{ $.latency > +1000 }", 1000, False),
        ("{ $.processes[4].averageRuntime <= 55.5 }", 55.5, True),
        ("{ $.processes[4].averageRuntime <= 55.5 }", 55.51, False),
    ],
)
def test_doc_numeric_comparisons(pattern, value, expected):
    selector = pattern.split()[1]
    document: dict = {}
    if selector.startswith("$.processes"):
        document = {"processes": [{}, {}, {}, {}, {"averageRuntime": value}]}
    else:
        document = {selector[2:]: value}
    assert compile_pattern(pattern).matches(json.dumps(document)) is expected


@pytest.mark.parametrize(
    "pattern, event, expected",
    [
        ("{ $.numbers[0] < 10e3 }", '{"numbers": [9999]}', True),
        ("{ $.numbers[0] < 10e3 }", '{"numbers": [10000]}', False),
        ("{ $.numbers[0] < 10e-3 }", '{"numbers": [0.009]}', True),
        ("{ $.numbers[0] < 10e-3 }", '{"numbers": [0.01]}', False),
        ("{ $.number[0] = 1e+3 }", '{"number": [1000]}', True),
        ("{ $.number[0] = 1e-3 }", '{"number": [0.001]}', True),
        ("{ $.number[0] != 1e-3 }", '{"number": [0.001]}', False),
        ("{ $.number[0] != 1e+3 }", '{"number": [1000.5]}', True),
        ("{ $.x = 1000 }", '{"x": 1E3}', True),  # scientific notation in the event's JSON number
        ("{ $.x > 0.1 }", '{"x": 0.30000000000000004}', True),
        ("{ $.x = 12345678901234567890 }", '{"x": 12345678901234567891}', False),  # exact, not float
        # numbers held in strings are compared as numbers, except scientific notation
        ("{ $.status >= 400 }", '{"status": "404"}', True),
        ("{ $.status = 404 }", '{"status": "404"}', True),
        ("{ $.status > 1 }", '{"status": "1e3"}', False),
        ("{ $.status > 1 }", '{"status": "abc"}', False),
        ("{ $.status != 404 }", '{"status": "abc"}', True),
        ("{ $.status > 1 }", '{"status": true}', False),
        ("{ $.status > 1 }", '{"status": null}', False),
        # "Use the asterisk as a wild card to match numbers", and a quoted number compares as text
        ("{ $.latency = * }", '{"latency": 50}', True),
        ("{ $.latency = 5* }", '{"latency": 50}', True),
        ("{ $.latency = 5* }", '{"latency": 60}', False),
        ('{ $.errorCode = "400" }', '{"errorCode": 400}', True),
    ],
)
def test_numeric_semantics(pattern, event, expected):
    assert compile_pattern(pattern).matches(event) is expected


def test_json_string_comparison_is_case_sensitive_and_exact():
    assert not compile_pattern('{ $.level = "error" }').matches('{"level": "ERROR"}')
    assert not compile_pattern('{ $.level = "ERR" }').matches('{"level": "ERROR"}')
    assert compile_pattern('{ $.msg = "a b@c" }').matches('{"msg": "a b@c"}')


def test_json_null_and_boolean_are_not_value_nodes_for_comparisons():
    assert not compile_pattern("{ $.a = * }").matches('{"a": null}')
    assert not compile_pattern("{ $.a = true }").matches('{"a": true}')
    assert not compile_pattern("{ $.a != x }").matches('{"a": false}')


def test_json_wildcard_selectors_are_existential():
    event = '{"items": [{"id": 1}, {"id": 7}], "tags": {"a": "x", "b": "y"}}'
    assert compile_pattern("{ $.items[*].id = 7 }").matches(event)
    assert not compile_pattern("{ $.items[*].id = 8 }").matches(event)
    assert compile_pattern("{ $.tags.* = y }").matches(event)
    assert compile_pattern("{ $.items[*].name NOT EXISTS }").matches(event)
    assert not compile_pattern("{ $.items[*].id NOT EXISTS }").matches(event)


def test_json_bracket_notation_and_nested_arrays():
    event = '{"a.b": {"c-d": [[1, 2], [3, 4]]}, "with space": "v"}'
    assert compile_pattern("{ $.['a.b'].c-d[1][0] = 3 }").matches(event)
    assert compile_pattern('{ $.["with space"] = v }').matches(event)
    assert compile_pattern("{ $.['a.b'].c-d[0][1] = 2 }").matches(event)
    assert not compile_pattern("{ $.['a.b'].c-d[0][1] = 3 }").matches(event)


def test_json_patterns_without_spaces_and_cis_benchmark_style():
    trail = json.dumps(
        {
            "eventSource": "kms.amazonaws.com",
            "eventName": "ScheduleKeyDeletion",
            "userIdentity": {"type": "Root"},
            "eventType": "AwsApiCall",
            "errorCode": "Client.UnauthorizedOperation",
        }
    )
    assert compile_pattern(
        "{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion))}"
    ).matches(trail)
    assert compile_pattern(
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }'
    ).matches(trail)
    assert compile_pattern(
        '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }'
    ).matches(trail)
    assert not compile_pattern("{ $.eventSource = kms.amazonaws.co }").matches(trail)


def test_json_regex_values():
    assert compile_pattern("{ $.eventType != %Trail% }").matches('{"eventType": "Other"}')
    assert not compile_pattern("{ $.eventType != %Trail% }").matches('{"eventType": "UpdateTrail"}')
    assert compile_pattern("{ $.code = %^5\\d\\d$% }").matches('{"code": 503}')
    assert compile_pattern("{ $.a = %x% && $.b = %y% }").regex_count == 2


@pytest.mark.parametrize(
    "pattern",
    [
        "{}",
        "{ }",
        "{ $.a = 1",
        "{ $.a }",
        "{ a = 1 }",
        "{ $a = 1 }",
        "{ $ = 1 }",
        "{ $. = 1 }",
        "{ $[0] = 1 }",
        "{ $.a = }",
        "{ $.a == 1 }",
        "{ $.a = 1 $.b = 2 }",
        "{ $.a = 1 && }",
        "{ ($.a = 1 }",
        "{ $.a = 1) }",
        "{ $.a = 1 } trailing",
        "{ $.a > abc }",
        '{ $.a > "5" }',
        "{ $.a > * }",
        "{ $.a < %5% }",
        "{ $.a IS NOT NULL }",
        "{ $.a IS MAYBE }",
        "{ $.a EXISTS }",
        "{ $.a NOT NULL }",
        '{ $.a = "unterminated }',
        "{ $.a = b@c }",
        "{ $.a = $b }",
        "{ $.a = %x% && $.b = %y% && $.c = %z% }",
        "{ $.a[*].b[*] = 1 }",
        "{ $.a[*] = 1 || $.b[*] = 1 || $.c[*] = 1 || $.d[*] = 1 }",
        "{ $.a[-1] = 1 }",
        "{ $.a[x] = 1 }",
        "{ $.a = 1 || }",
        "{ $.a = 1 & $.b = 2 }",
    ],
)
def test_invalid_json_patterns(pattern):
    assert_invalid(pattern)


def test_three_wildcard_selectors_are_allowed():
    compiled = compile_pattern("{ $.a[*] = 1 || $.b[*] = 1 || $.c.* = 1 }")
    assert compiled.matches('{"c": {"x": 1}}')


# ==================================================================================================
# Space-delimited log events
# ==================================================================================================

# doc: the space-delimited sample event of the current guide
APACHE_EVENT = '127.0.0.1 Prod frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534'


def test_doc_space_delimited_extraction():
    compiled = compile_pattern("[ip, user, username, timestamp, request =*.html*, status_code = 4*, bytes]")
    assert compiled.kind == "space_delimited"
    # doc: "Extracted fields and values"
    assert compiled.extract(APACHE_EVENT) == {
        "$bytes": "1534",
        "$status_code": "404",
        "$request": "GET /index.html HTTP/1.0",
        "$timestamp": "10/Oct/2000:13:25:15 -0700",
        "$username": "frank",
        "$user": "Prod",
        "$ip": "127.0.0.1",
    }


@pytest.mark.parametrize(
    "pattern",
    [
        "[ip=%127\\.0\\.0\\.[1-9]%, user, username, timestamp, request =*.html*, status_code = 4*, bytes]",
        "[..., request =*.html*, status_code = 4*, bytes]",
        "[ip, user, username, timestamp, request =*.html*, status_code = 404 || status_code = 410, bytes]",
        "[ip, server, username, timestamp, request, status_code, bytes > 1000]",
    ],
)
def test_doc_space_delimited_patterns_match_the_sample_event(pattern):
    assert compile_pattern(pattern).matches(APACHE_EVENT)


@pytest.mark.parametrize(
    "pattern",
    [
        "[ip=%127\\.0\\.0\\.[2-9]%, user, username, timestamp, request =*.html*, status_code = 4*, bytes]",
        "[..., request =*.gif*, status_code = 4*, bytes]",
        "[ip, user, username, timestamp, request =*.html*, status_code = 400 || status_code = 410, bytes]",
        "[ip, server, username, timestamp, request, status_code, bytes > 2000]",
        "[ip, user, username, timestamp, request, status_code = 4* && status_code != 404, bytes]",
    ],
)
def test_space_delimited_patterns_that_do_not_match_the_sample_event(pattern):
    assert not compile_pattern(pattern).matches(APACHE_EVENT)


# doc: the w1/w2 sample events
WORD_EVENTS = [
    "INFO 09/25/2014 12:00:00 GET /service/resource/67 1200",
    "INFO 09/25/2014 12:00:01 POST /service/resource/67/part/111 1310",
    "WARNING 09/25/2014 12:00:02 Invalid user request",
    "ERROR 09/25/2014 12:00:02 Failed to process request",
]


def test_doc_match_terms_in_order():
    assert matching("[w1=ERROR, w2]", WORD_EVENTS) == WORD_EVENTS[3:]


def test_doc_match_terms_with_and_or():
    assert matching("[w1=ERROR || w1=WARNING, w2]", WORD_EVENTS) == WORD_EVENTS[2:]


def test_doc_exclude_terms():
    assert matching("[w1!=ERROR && w1!=WARNING, w2]", WORD_EVENTS) == WORD_EVENTS[:2]


def test_doc_superstring_regex_in_space_delimited_condition():
    # doc (metric filters page): "[w1=ERROR || w1=%WARN%, w2]" - first word ERROR or any superstring of WARN
    assert matching("[w1=ERROR || w1=%WARN%, w2]", WORD_EVENTS) == WORD_EVENTS[2:]


def test_doc_resource_uri_regexes():
    top = "[logLevel, date, time, method, url=%/service/resource/[0-9]+$%, response_time]"
    child = "[logLevel, date, time, method, url=%/service/resource/[0-9]+/part/[0-9]+$%, response_time]"
    assert matching(top, WORD_EVENTS) == WORD_EVENTS[:1]
    assert matching(child, WORD_EVENTS) == WORD_EVENTS[1:2]


def test_doc_blank_indicator_takes_the_rest_of_the_line():
    compiled = compile_pattern("[w1=ERROR, w2]")
    assert compiled.extract(WORD_EVENTS[3]) == {
        "$w1": "ERROR",
        "$w2": "09/25/2014 12:00:02 Failed to process request",
    }
    # without the blank w2 the single field is the whole line, so it is not ERROR
    assert not compile_pattern("[w1=ERROR]").matches(WORD_EVENTS[3])
    assert compile_pattern("[w1=ERROR]").matches("ERROR")


# API reference: TestMetricFilter examples on Apache access.log events, with their documented responses
API_APACHE_EVENTS = [
    '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534',
    '127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /apache_pb.gif HTTP/1.0" 500 5324',
    '127.0.0.1 - frank [10/Oct/2000:13:50:35 -0700] "GET /apache_pb.gif HTTP/1.0" 200 4355',
]


def test_api_all_fields_named():
    compiled = compile_pattern("[ip, identity, user_id, timestamp, request, status_code, size]")
    assert compiled.extract(API_APACHE_EVENTS[2]) == {
        "$status_code": "200",
        "$identity": "-",
        "$request": "GET /apache_pb.gif HTTP/1.0",
        "$size": "4355",
        "$user_id": "frank",
        "$ip": "127.0.0.1",
        "$timestamp": "10/Oct/2000:13:50:35 -0700",
    }


def test_api_without_specifying_all_the_fields():
    compiled = compile_pattern("[..., size]")
    assert compiled.extract(API_APACHE_EVENTS[1]) == {
        "$size": "5324",
        "$6": "500",
        "$4": "10/Oct/2000:13:35:22 -0700",
        "$5": "GET /apache_pb.gif HTTP/1.0",
        "$2": "-",
        "$3": "frank",
        "$1": "127.0.0.1",
    }


def test_api_without_specifying_any_fields():
    compiled = compile_pattern("[]")
    assert compiled.extract(API_APACHE_EVENTS[0]) == {
        "$7": "1534",
        "$6": "200",
        "$4": "10/Oct/2000:13:25:15 -0700",
        "$5": "GET /apache_pb.gif HTTP/1.0",
        "$2": "-",
        "$3": "frank",
        "$1": "127.0.0.1",
    }


def test_api_successful_requests():
    compiled = compile_pattern("[..., status_code=200, size]")
    assert [i for i, m in enumerate(API_APACHE_EVENTS) if compiled.matches(m)] == [0, 2]
    assert compiled.extract(API_APACHE_EVENTS[2]) == {
        "$status_code": "200",
        "$size": "4355",
        "$4": "10/Oct/2000:13:50:35 -0700",
        "$5": "GET /apache_pb.gif HTTP/1.0",
        "$2": "-",
        "$3": "frank",
        "$1": "127.0.0.1",
    }


def test_api_4xx_responses_for_html_pages():
    events = [
        '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534',
        '127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /about-us/index.html HTTP/1.0" 200 5324',
        '127.0.0.1 - frank [10/Oct/2000:13:50:35 -0700] "GET /apache_pb.gif HTTP/1.0" 404 4355',
        '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /products/index.html HTTP/1.0" 400 1534',
    ]
    compiled = compile_pattern("[..., request=*.html*, status_code=4*,]")
    assert [i for i, m in enumerate(events) if compiled.matches(m)] == [0, 3]
    assert compiled.extract(events[3]) == {
        "$status_code": "400",
        "$request": "GET /products/index.html HTTP/1.0",
        "$7": "1534",
        "$4": "10/Oct/2000:13:25:15 -0700",
        "$2": "-",
        "$3": "frank",
        "$1": "127.0.0.1",
    }


def test_doc_ellipsis_positions():
    line = "a b c d e"
    assert compile_pattern("[ip, user, ...]").extract(line) == {
        "$ip": "a",
        "$user": "b",
        "$3": "c",
        "$4": "d",
        "$5": "e",
    }
    assert compile_pattern("[ip, user, ..., status_code, bytes]").extract(line) == {
        "$ip": "a",
        "$user": "b",
        "$3": "c",
        "$status_code": "d",
        "$bytes": "e",
    }
    assert compile_pattern("[ip, user, ..., status_code, bytes]").matches("a b d e")  # ellipsis takes none
    assert not compile_pattern("[ip, user, ..., status_code, bytes]").matches("a b e")
    assert compile_pattern("[ip, user, \u2026]").matches("a b")


def test_more_pattern_fields_than_event_fields_does_not_match():
    assert not compile_pattern("[a, b, c]").matches("x y")
    assert not compile_pattern("[a]").matches("")
    assert compile_pattern("[]").extract("") == {}


def test_several_ellipses_find_a_satisfying_assignment():
    compiled = compile_pattern("[..., level=ERROR, ...]")
    assert compiled.extract("t1 t2 ERROR x") == {"$1": "t1", "$2": "t2", "$level": "ERROR", "$4": "x"}
    assert not compiled.matches("t1 t2 WARN x")


def test_quoted_and_bracketed_fields_and_whitespace():
    compiled = compile_pattern("[a, b, c, d]")
    assert compiled.extract('  x   "y z"\t[p q]  "r \\" s"  ') == {
        "$a": "x",
        "$b": "y z",
        "$c": "p q",
        "$d": 'r \\" s',
    }
    # an unterminated quote or bracket is an ordinary character
    assert compiled.extract('x "y z [w') == {"$a": "x", "$b": '"y', "$c": "z", "$d": "[w"}


def test_space_delimited_conditions_across_fields_and_parentheses():
    compiled = compile_pattern("[a, b = 1 || (a = x && b > 5)]")
    assert compiled.matches("q 1")
    assert compiled.matches("x 6")
    assert not compiled.matches("x 5")
    assert not compiled.matches("q 6")


def test_space_delimited_numeric_and_string_conditions():
    assert compile_pattern("[a, bytes > 1000]").matches("x 1534")
    assert not compile_pattern("[a, bytes > 1000]").matches("x 1e4")  # strings hold no scientific notation
    assert not compile_pattern("[a, bytes > 1000]").matches("x many")
    assert compile_pattern("[a, code = 200]").matches("x 200.0")
    assert compile_pattern("[a, code != 200]").matches("x abc")
    assert compile_pattern('[date, time, tag="rh-sched*", rest]').matches("d t rh-scheduler more words")
    assert compile_pattern("[a, b = *html*]").matches("x index.html")
    assert not compile_pattern("[a, b = *html*]").matches("x index.htm")


def test_doc_old_guide_undefined_field_in_condition_is_invalid():
    # awsdocs/amazon-cloudwatch-logs-user-guide issue #21: AWS answers "Invalid filter pattern" for this
    # example from the old guide, because "bytes" is not a field of the pattern.
    assert_invalid("[ip, user, username, timestamp, request, status_code = 4* && bytes > 1000]")
    compiled = compile_pattern(
        "[ip, user, username, timestamp, request, status_code = 4* && bytes > 1000, bytes]"
    )
    assert compiled.matches("1 2 3 4 5 404 2000")
    assert not compiled.matches("1 2 3 4 5 404 20")


@pytest.mark.parametrize(
    "pattern",
    [
        "[a, b",
        "[a b]",
        "[a, b] x",
        "[a, a]",
        "[1, b]",
        "[a = ]",
        "[a > x]",
        "[a = 1 && b]",
        "[a = 1 && c = 2, b]",
        "[a = %x%, b = %y%, c = %z%]",
        "[a = b@c]",
        "[(a = 1]",
        "[a = 1 &&]",
        "[...x]",
    ],
)
def test_invalid_space_delimited_patterns(pattern):
    assert_invalid(pattern)


# ==================================================================================================
# Pattern object
# ==================================================================================================


def test_supports_dimensions_by_kind():
    assert compile_pattern("{ $.a = 1 }").supports_dimensions
    assert compile_pattern("[a, b]").supports_dimensions
    assert not compile_pattern("ERROR").supports_dimensions
    assert not compile_pattern("%ERROR%").supports_dimensions
    assert not compile_pattern("").supports_dimensions


def test_compiled_patterns_are_cached_and_keep_their_source():
    first = compile_pattern("ERROR -DEBUG")
    assert compile_pattern("ERROR -DEBUG") is first
    assert isinstance(first, Pattern)
    assert first.source == "ERROR -DEBUG"
    assert first.kind == "terms"
    assert "ERROR -DEBUG" in repr(first)


def test_extract_returns_none_when_not_matched_and_a_fresh_dict_otherwise():
    compiled = compile_pattern("[a, b]")
    assert compiled.extract("one") is None
    first = compiled.extract("x y")
    assert first is not None
    first["$a"] = "changed"
    assert compiled.extract("x y") == {"$a": "x", "$b": "y"}


def test_json_extract_keys_are_selectors_from_the_pattern():
    compiled = compile_pattern('{ $.eventType = "*" && $.sourceIPAddress != 123.123.* && $.gone NOT EXISTS }')
    assert compiled.extract(JSON_EVENT) == {
        "$.eventType": "UpdateTrail",
        "$.sourceIPAddress": "111.111.111.111",
    }
    wildcard = compile_pattern("{ $.arrayKey[*] = %another% }")
    assert wildcard.extract(JSON_EVENT) == {"$.arrayKey[*]": "another value"}
    bracket = compile_pattern("{ $.['cluster.name'] = c || $.n = 1 }")
    assert bracket.extract(JSON_EVENT) == {"$.['cluster.name']": "c"}
    assert compile_pattern("{ $.x = * }").extract('{"x": 1.50e1}') == {"$.x": "1.50e1"}


def test_invalid_filter_pattern_exception_shape():
    error = assert_invalid("{ $.a = }")
    assert isinstance(error, ValueError)
    assert error.message == "Invalid metric filter pattern"
    assert "InvalidFilterPattern" in repr(error)


# ==================================================================================================
# Metric transformations
# ==================================================================================================


def transformation(**overrides) -> dict:
    base = {"metricName": "myMetric", "metricNamespace": "MyNamespace", "metricValue": "1"}
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def test_doc_publish_numeric_value_from_json():
    # doc: "{ $.latency = * } metricValue: $.latency" publishes 50 for {"latency": 50, "requestType": "GET"}
    pattern = compile_pattern("{ $.latency = * }")
    datum = evaluate_transformation(
        pattern,
        transformation(metricValue="$.latency", defaultValue=0),
        '{"latency": 50, "requestType": "GET"}',
    )
    assert datum == MetricDatum(
        name="myMetric", namespace="MyNamespace", value=50.0, unit="None", dimensions={}
    )


def matched_datum(pattern: Pattern, metric_transformation: dict, message: str) -> MetricDatum:
    """The datum a transformation makes of a line it is expected to publish for."""
    datum = evaluate_transformation(pattern, metric_transformation, message)
    assert datum is not None, f"nothing published for {message!r}"
    return datum


def test_doc_default_value_is_published_when_an_event_does_not_match():
    pattern = compile_pattern("ERROR")
    assert evaluate_transformation(pattern, transformation(defaultValue=0), "INFO ok") == MetricDatum(
        "myMetric", "MyNamespace", 0.0, "None", {}
    )
    assert evaluate_transformation(pattern, transformation(), "INFO ok") is None
    assert matched_datum(pattern, transformation(defaultValue=0), "ERROR x").value == 1.0


def test_default_datum_helper():
    assert default_datum(transformation(defaultValue=2.5, unit="Count")) == MetricDatum(
        "myMetric", "MyNamespace", 2.5, "Count", {}
    )
    assert default_datum(transformation()) is None


def test_literal_metric_values_and_units():
    pattern = compile_pattern("ERROR")
    assert matched_datum(pattern, transformation(metricValue="2.5", unit="Seconds"), "ERROR").value == 2.5
    assert matched_datum(pattern, transformation(metricValue="-1"), "ERROR").value == -1.0
    assert matched_datum(pattern, transformation(metricValue="1e2"), "ERROR").value == 100.0
    assert matched_datum(pattern, transformation(unit="Count"), "ERROR").unit == "Count"


def test_doc_extract_bytes_from_apache_log_by_name_and_position():
    pattern = compile_pattern("[ip, id, user, timestamp, request, status_code, size]")
    line = '127.0.0.1 - - [24/Sep/2013:11:49:52 -0700] "GET /index.html HTTP/1.1" 404 287'
    by_name = transformation(metricName="BytesTransferred", metricValue="$size", defaultValue=0)
    assert matched_datum(pattern, by_name, line).value == 287.0
    # doc: "You can see the reference to the token as "$7" in the metricValue field"
    assert matched_datum(pattern, transformation(metricValue="$7"), line).value == 287.0
    assert matched_datum(pattern, transformation(metricValue="$6"), line).value == 404.0
    assert evaluate_transformation(pattern, transformation(metricValue="$8"), line) is None


def test_doc_json_dimension():
    pattern = compile_pattern('{ $.eventType = "*" && $.sourceIPAddress != 123.123.* }')
    datum = evaluate_transformation(
        pattern, transformation(dimensions={"eventType": "$.eventType"}), JSON_EVENT
    )
    assert datum is not None
    assert datum.dimensions == {"eventType": "UpdateTrail"}
    assert datum.value == 1.0


def test_doc_space_delimited_dimension():
    pattern = compile_pattern("[ip, server, username, timestamp, request, status_code, bytes > 1000]")
    datum = evaluate_transformation(
        pattern, transformation(metricValue="$bytes", dimensions={"server": "$server"}), APACHE_EVENT
    )
    assert datum == MetricDatum("myMetric", "MyNamespace", 1534.0, "None", {"server": "Prod"})


def test_dimensions_must_all_resolve():
    pattern = compile_pattern("{ $.a = * || $.b = * }")
    dims = {"A": "$.a", "B": "$.b"}
    assert matched_datum(pattern, transformation(dimensions=dims), '{"a": "x", "b": 2}').dimensions == {
        "A": "x",
        "B": "2",
    }
    assert evaluate_transformation(pattern, transformation(dimensions=dims), '{"a": "x"}') is None
    assert evaluate_transformation(pattern, transformation(dimensions=dims), '{"a": "", "b": 1}') is None
    # a field the pattern does not mention is not extracted, so it cannot be a dimension
    assert (
        evaluate_transformation(pattern, transformation(dimensions={"C": "$.c"}), '{"a": 1, "c": "z"}')
        is None
    )


def test_literal_dimension_values_pass_through():
    pattern = compile_pattern("{ $.a = * }")
    datum = matched_datum(pattern, transformation(dimensions={"Service": "cart"}), '{"a": 1}')
    assert datum.dimensions == {"Service": "cart"}


def test_non_numeric_or_unreferenced_metric_values_publish_nothing():
    pattern = compile_pattern("{ $.latency = * }")
    value = transformation(metricValue="$.latency", defaultValue=0)
    assert evaluate_transformation(pattern, value, '{"latency": "slow"}') is None
    assert evaluate_transformation(pattern, value, '{"latency": "1e3"}') is None
    assert matched_datum(pattern, value, '{"latency": "12.5"}').value == 12.5
    assert matched_datum(pattern, value, '{"latency": 1e3}').value == 1000.0
    assert evaluate_transformation(pattern, value, '{"latency": 1e999}') is None
    # "make sure the field is in the pattern": $.other is not extracted by this pattern
    other = transformation(metricValue="$.other")
    assert evaluate_transformation(pattern, other, '{"latency": 1, "other": 5}') is None
    # a field reference means nothing for a term pattern
    assert (
        evaluate_transformation(compile_pattern("ERROR"), transformation(metricValue="$.x"), "ERROR") is None
    )
    assert evaluate_transformation(compile_pattern("[a, b]"), transformation(metricValue="$b"), "x y") is None


def test_metric_value_reference_may_be_spelled_differently_from_the_pattern():
    pattern = compile_pattern("{ $.['latency'] > 0 }")
    assert matched_datum(pattern, transformation(metricValue="$.latency"), '{"latency": 7}').value == 7.0


def test_validate_accepts_documented_transformations():
    validate_transformation(transformation(metricValue="$.latency", defaultValue=0))
    validate_transformation(transformation(metricValue="$size", defaultValue=0.0, unit="Bytes"))
    validate_transformation(transformation(dimensions={"a": "$.a", "b": "$.b", "c": "$.c"}))
    validate_transformation(transformation(dimensions={}, defaultValue=0))
    validate_transformation(transformation(dimensions={"a": "$.a"}), compile_pattern("{ $.a = * }"))
    validate_transformation(transformation(dimensions={"a": "$a"}), compile_pattern("[a]"))


@pytest.mark.parametrize(
    "overrides, message",
    [
        (
            {"dimensions": {"a": "$.a"}, "defaultValue": 0},
            "Invalid metric transformation: dimensions and default value are mutually exclusive properties",
        ),
        ({"dimensions": {"a": "$.a", "b": "$.b", "c": "$.c", "d": "$.d"}}, "as many as 3 dimensions"),
        ({"dimensions": {"a": ""}}, "non-empty"),
        ({"dimensions": ["a"]}, "map"),
        ({"metricName": None}, "metricName is required"),
        ({"metricNamespace": ""}, "metricNamespace is required"),
        ({"metricName": "a:b"}, "[^:*$]*"),
        ({"metricNamespace": "x" * 256}, "255"),
        ({"metricValue": None}, "metricValue is required"),
        ({"metricValue": "length"}, "number or a field reference"),
        ({"metricValue": "$"}, "number or a field reference"),
        ({"metricValue": "1" * 101}, "at most 100"),
        ({"defaultValue": "0"}, "defaultValue must be a number"),
        ({"defaultValue": True}, "defaultValue must be a number"),
        ({"unit": "Furlongs"}, "standard unit"),
    ],
)
def test_validate_rejects_invalid_transformations(overrides, message):
    with pytest.raises(ValueError) as info:
        validate_transformation(transformation(**overrides))
    assert message in str(info.value)


def test_validate_rejects_non_dict() -> None:
    with pytest.raises(ValueError):
        validate_transformation(["metricName"])  # type: ignore[arg-type]


@pytest.mark.parametrize("pattern", ["?ERROR ?WARN", "ERROR", "", "%ERR%"])
def test_dimensions_are_rejected_for_unstructured_patterns(pattern):
    # real AWS: "The specified filter pattern does not support dimensions" (e.g. for "?ERROR ?WARN")
    with pytest.raises(ValueError, match="The specified filter pattern does not support dimensions"):
        validate_transformation(transformation(dimensions={"ClusterName": "$.c"}), compile_pattern(pattern))


def test_evaluate_validates_the_transformation():
    with pytest.raises(ValueError, match="mutually exclusive"):
        evaluate_transformation(
            compile_pattern("{ $.a = * }"),
            transformation(dimensions={"a": "$.a"}, defaultValue=0),
            '{"a": 1}',
        )
    with pytest.raises(ValueError, match="does not support dimensions"):
        evaluate_transformation(compile_pattern("ERROR"), transformation(dimensions={"a": "$.a"}), "ERROR")
