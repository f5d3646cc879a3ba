"""CloudWatch composite alarms, in pure Python (stdlib only): the rule language, the state a rule gives,
and when the actions of a composite alarm with an actions suppressor may run.

Sources (Amazon CloudWatch User Guide and API Reference):

* ``PutCompositeAlarm`` > ``AlarmRule``: the functions ``ALARM(...)``, ``OK(...)``,
  ``INSUFFICIENT_DATA(...)`` of an alarm name or ARN (quoted with ``"`` or not), ``TRUE``, ``FALSE``,
  the operators ``AND``, ``OR``, ``NOT`` and parentheses; at most 10,240 characters.
* "Combining alarms" / "Create a composite alarm": the composite alarm is in ALARM when its rule is
  TRUE and in OK when it is FALSE; it starts in INSUFFICIENT_DATA and is re-evaluated whenever one of
  the alarms it references changes state.
* "Suppressing composite alarm actions" and ``CompositeAlarm`` (``ActionsSuppressedBy``: ``Alarm``,
  ``WaitPeriod``, ``ExtensionPeriod``): while the suppressor is in ALARM the composite alarm takes no
  action; after a transition of the composite alarm it waits up to ``ActionsSuppressorWaitPeriod``
  seconds for the suppressor to go into ALARM; after the suppressor leaves ALARM it waits
  ``ActionsSuppressorExtensionPeriod`` seconds. After either wait the composite alarm performs the
  actions of the state it is still in.

Decisions: ``NOT`` binds tighter than ``AND``, which binds tighter than ``OR`` (the usual Boolean
precedence; the documented examples always parenthesise mixed ``AND``/``OR``). Keywords are upper case,
as documented. A referenced alarm that no longer exists matches no state function.

Public API
----------
``parse_rule(text) -> Rule`` (raises :class:`InvalidAlarmRule`); ``Rule.references`` (names or ARNs as
written); ``Rule.evaluate(state_of)`` with ``state_of(reference) -> "OK" | "ALARM" |
"INSUFFICIENT_DATA" | None``; ``rule_state(rule, state_of)``; ``state_reason(...)``;
``actions_suppression(...) -> Suppression``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

__all__ = [
    "MAX_RULE_LENGTH",
    "InvalidAlarmRule",
    "Rule",
    "Suppression",
    "actions_suppression",
    "parse_rule",
    "rule_state",
    "state_reason",
]

OK = "OK"
ALARM = "ALARM"
INSUFFICIENT_DATA = "INSUFFICIENT_DATA"
MAX_RULE_LENGTH = 10240
_STATE_FUNCTIONS = (ALARM, OK, INSUFFICIENT_DATA)

_TOKEN_RE = re.compile(
    r"""\s*(?:
        (?P<lparen>\()
      | (?P<rparen>\))
      | (?P<word>[A-Z_]+)(?=[\s()]|$)
    )""",
    re.VERBOSE,
)


class InvalidAlarmRule(ValueError):
    """The AlarmRule is not in CloudWatch's rule language."""


@dataclass(frozen=True)
class Rule:
    text: str
    tree: tuple
    references: tuple[str, ...]

    def evaluate(self, state_of: Callable[[str], str | None]) -> bool:
        return _evaluate(self.tree, state_of)


def _evaluate(node: tuple, state_of: Callable[[str], str | None]) -> bool:
    kind = node[0]
    if kind == "const":
        return node[1]
    if kind == "state":
        return state_of(node[2]) == node[1]
    if kind == "not":
        return not _evaluate(node[1], state_of)
    if kind == "and":
        return all(_evaluate(child, state_of) for child in node[1])
    return any(_evaluate(child, state_of) for child in node[1])  # "or"


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.references: list[str] = []

    def error(self, what: str) -> InvalidAlarmRule:
        near = self.text[self.pos : self.pos + 30] or "end of rule"
        return InvalidAlarmRule(f"Error in alarm rule at position {self.pos}: {what} (near {near!r})")

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek_word(self) -> str | None:
        match = _TOKEN_RE.match(self.text, self.pos)
        return match.group("word") if match and match.group("word") else None

    def take_word(self, word: str) -> bool:
        match = _TOKEN_RE.match(self.text, self.pos)
        if match and match.group("word") and match.group("word") == word:
            self.pos = match.end()
            return True
        return False

    def take_char(self, char: str) -> bool:
        self.skip_space()
        if self.text.startswith(char, self.pos):
            self.pos += 1
            return True
        return False

    def parse(self) -> tuple:
        tree = self.parse_or()
        self.skip_space()
        if self.pos != len(self.text):
            raise self.error("unexpected text")
        return tree

    def parse_or(self) -> tuple:
        items = [self.parse_and()]
        while self.take_word("OR"):
            items.append(self.parse_and())
        return items[0] if len(items) == 1 else ("or", tuple(items))

    def parse_and(self) -> tuple:
        items = [self.parse_not()]
        while self.take_word("AND"):
            items.append(self.parse_not())
        return items[0] if len(items) == 1 else ("and", tuple(items))

    def parse_not(self) -> tuple:
        if self.take_word("NOT"):
            return ("not", self.parse_not())
        return self.parse_primary()

    def parse_primary(self) -> tuple:
        if self.take_char("("):
            tree = self.parse_or()
            if not self.take_char(")"):
                raise self.error("expected ')'")
            return tree
        if self.take_word("TRUE"):
            return ("const", True)
        if self.take_word("FALSE"):
            return ("const", False)
        for function in _STATE_FUNCTIONS:
            if self.take_word(function):
                if not self.take_char("("):
                    raise self.error(f"expected '(' after {function}")
                reference = self.parse_reference()
                if not self.take_char(")"):
                    raise self.error(f"expected ')' after the alarm of {function}")
                self.references.append(reference)
                return ("state", function, reference)
        raise self.error("expected ALARM(...), OK(...), INSUFFICIENT_DATA(...), TRUE, FALSE, NOT or '('")

    def parse_reference(self) -> str:
        self.skip_space()
        if self.text.startswith('"', self.pos):
            end = self.text.find('"', self.pos + 1)
            if end < 0:
                raise self.error("unterminated quoted alarm name")
            reference = self.text[self.pos + 1 : end]
            self.pos = end + 1
        else:
            end = self.text.find(")", self.pos)
            if end < 0:
                raise self.error("expected ')'")
            reference = self.text[self.pos : end].strip()
            self.pos = end
        if not reference:
            raise self.error("empty alarm name")
        return reference


def parse_rule(text: str) -> Rule:
    """Parse an AlarmRule; raises :class:`InvalidAlarmRule` with the position of the error."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidAlarmRule("The alarm rule must not be empty.")
    if len(text) > MAX_RULE_LENGTH:
        raise InvalidAlarmRule(f"The alarm rule must be at most {MAX_RULE_LENGTH} characters long.")
    parser = _Parser(text)
    tree = parser.parse()
    return Rule(text, tree, tuple(dict.fromkeys(parser.references)))


def rule_state(rule: Rule, state_of: Callable[[str], str | None]) -> str:
    """The composite alarm's state: ALARM when the rule is TRUE, else OK."""
    return ALARM if rule.evaluate(state_of) else OK


def _reason_time(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%A %d %B, %Y %H:%M:%S UTC")


def _iso_millis(epoch: float) -> str:
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def state_reason(new_state: str, triggering: tuple[str, str, float] | None) -> tuple[str, dict | None]:
    """``StateReason`` and ``StateReasonData`` of a composite transition.

    ``triggering`` is ``(arn, state, transitioned_at)`` of the child whose transition caused it (the
    most recent transition among the referenced alarms), ``None`` for a rule without alarms.
    The format is the one CloudWatch records (as LocalStack's snapshot tests show).
    """
    if triggering is None:
        return f"The alarm rule evaluated to {'TRUE' if new_state == ALARM else 'FALSE'}", None
    arn, state, at = triggering
    reason = f"{arn} transitioned to {state} at {_reason_time(at)}"
    data = {"triggeringAlarms": [{"arn": arn, "state": {"value": state, "timestamp": _iso_millis(at)}}]}
    return reason, data


@dataclass(frozen=True)
class Suppression:
    """Whether the actions owed since a composite transition are held back, and until when.

    ``by``: ``None`` (run the actions now), ``"Alarm"``, ``"WaitPeriod"`` or ``"ExtensionPeriod"``;
    ``until``: when the wait ends (``None`` while the suppressor is in ALARM or when not suppressed).
    """

    by: str | None
    until: float | None
    reason: str


def actions_suppression(
    *,
    transitioned_at: float,
    suppressor_state: str | None,
    suppressor_left_alarm_at: float | None,
    wait_period: float,
    extension_period: float,
    now: float,
) -> Suppression:
    """Decide whether the actions of a composite transition at ``transitioned_at`` run at ``now``.

    ``suppressor_state`` is ``None`` when the composite alarm has no (existing) suppressor;
    ``suppressor_left_alarm_at`` is when the suppressor last went out of ALARM (``None``: never).
    """
    if suppressor_state is None:
        return Suppression(None, None, "")
    if suppressor_state == ALARM:
        return Suppression("Alarm", None, "Actions are suppressed because the suppressor alarm is in ALARM.")
    if suppressor_left_alarm_at is not None and now < suppressor_left_alarm_at + extension_period:
        return Suppression(
            "ExtensionPeriod",
            suppressor_left_alarm_at + extension_period,
            "Actions are suppressed during the extension period after the suppressor alarm left ALARM.",
        )
    was_in_alarm_since = suppressor_left_alarm_at is not None and suppressor_left_alarm_at >= transitioned_at
    if not was_in_alarm_since and now < transitioned_at + wait_period:
        return Suppression(
            "WaitPeriod",
            transitioned_at + wait_period,
            "Actions are suppressed while waiting for the suppressor alarm to go into ALARM.",
        )
    return Suppression(None, None, "")
