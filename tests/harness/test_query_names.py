"""cartmon-query finds a saved query by its full name, or by its short name when only one stack saved it."""

from __future__ import annotations

from typing import Any

import pytest

from cartmon.ops import query
from cartmon.ops.query import find_definition


class SavedQueries:
    """DescribeQueryDefinitions over a fixed list, two per page, as the paginated API answers."""

    def __init__(self, names: list[str]):
        self.names = names

    def describe_query_definitions(self, nextToken: str | None = None) -> dict:
        start = int(nextToken or 0)
        page: dict[str, Any] = {
            "queryDefinitions": [
                {"name": n, "queryString": "fields @message"} for n in self.names[start : start + 2]
            ]
        }
        if start + 2 < len(self.names):
            page["nextToken"] = str(start + 2)
        return page


TWO_STACKS = [
    "vyaparai-cart-migration/Migration Success Rate",
    "vyaparai-cart-migration/Top Failure Reasons",
    "archive-cart-migration/Top Failure Reasons",
]


def test_a_short_name_saved_by_one_stack_is_found_on_any_page():
    logs = SavedQueries(TWO_STACKS)
    assert find_definition(logs, "Migration Success Rate")["name"] == TWO_STACKS[0]


def test_the_full_name_picks_one_of_two_stacks():
    logs = SavedQueries(TWO_STACKS)
    assert find_definition(logs, "archive-cart-migration/Top Failure Reasons")["name"] == TWO_STACKS[2]


def test_a_short_name_saved_by_two_stacks_is_refused_with_the_names_to_choose_from():
    with pytest.raises(SystemExit) as refused:
        find_definition(SavedQueries(TWO_STACKS), "Top Failure Reasons")
    message = str(refused.value)
    assert message.startswith("several saved queries named 'Top Failure Reasons'")
    assert all(name in message for name in TWO_STACKS)


def test_an_unknown_name_is_refused_with_the_saved_names():
    with pytest.raises(SystemExit) as refused:
        find_definition(SavedQueries(TWO_STACKS), "Nope")
    assert str(refused.value).startswith("no saved query named 'Nope'")


def test_without_a_name_the_saved_queries_are_listed(monkeypatch, capsys):
    monkeypatch.setattr(query, "logs_client", lambda: SavedQueries(TWO_STACKS))
    assert query.main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{len(TWO_STACKS)} saved queries:")
    listed = [line.strip().split("  (")[0] for line in out.splitlines() if line.startswith("  ")]
    assert listed == sorted(TWO_STACKS), "every page of DescribeQueryDefinitions, by name"
    assert 'make query NAME="' in out


def test_an_empty_account_says_where_the_queries_come_from(monkeypatch, capsys):
    monkeypatch.setattr(query, "logs_client", lambda: SavedQueries([]))
    assert query.main([]) == 0
    assert "make apply" in capsys.readouterr().out
