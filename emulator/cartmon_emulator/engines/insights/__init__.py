"""A pure-Python engine for the CloudWatch Logs Insights query language (Logs Insights QL).

LocalStack's ``StartQuery`` ignores ``filter``/``stats``/``parse``; this package evaluates a query the way the
real service does (as far as AWS documents it) so ``GetQueryResults`` can return faithful rows.

One module per job, in dependency order: ``model`` (errors, events, limits), ``values`` (rendering,
comparison, sort order, map/list members), ``periods`` (time units), ``tokenizer``, ``patterns`` (regex and
glob translation), ``rows`` (fields of an event), ``expressions`` (expression nodes), ``ip_functions`` and
``functions`` (scalar functions), ``aggregates`` (stats functions), ``clustering`` (pattern and diff),
``commands``, ``expression_parser`` and ``parser``, ``validation`` (checks across commands, output columns),
``text_formats`` (parse logfmt/csv, json field=) and ``execution`` (running a query).

Public API
----------
``parse_query(text) -> Query``
    Parses and validates a query.  Raises :class:`MalformedQuery` (syntax error, with line/column) or
    :class:`UnsupportedQuery` (valid Logs Insights QL that this engine does not implement).  Nothing is ever
    silently ignored.
``run_query(query_text, events, start_time, end_time, limit=None) -> list[list[dict]]``
    Rows shaped like ``GetQueryResults.results``: each row is a list of ``{"field": name, "value": str}`` in
    column order; fields with no value in a row are omitted (as AWS does).
``execute(query_text, events, start_time, end_time, limit=None) -> QueryOutcome``
    The rows plus ``records_matched`` / ``records_scanned`` / ``bytes_scanned`` (``QueryOutcome.statistics``
    gives the ``GetQueryResults.statistics`` dict).
``LogEvent``
    One stored log event.

Where AWS documents no answer, the engine's choices are listed in docs/insights-emulation.md.
"""

from cartmon_emulator.engines.insights.execution import Query, execute, parse_query, run_query
from cartmon_emulator.engines.insights.model import (
    DEFAULT_RESULT_LIMIT,
    InsightsQueryError,
    LogEvent,
    MalformedQuery,
    QueryOutcome,
    UnsupportedQuery,
)

__all__ = [
    "DEFAULT_RESULT_LIMIT",
    "InsightsQueryError",
    "LogEvent",
    "MalformedQuery",
    "Query",
    "QueryOutcome",
    "UnsupportedQuery",
    "execute",
    "parse_query",
    "run_query",
]
