"""The lexer: query text to tokens (strings, /regex/, numbers, durations, operators), with positions."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from cartmon_emulator.engines.insights.model import (
    MalformedQuery,
)

_KEYWORDS = frozenset({"and", "or", "not", "like", "in", "as", "by", "asc", "desc"})
_OPERATORS = (
    "!=",
    "<=",
    ">=",
    "=~",
    "=",
    "<",
    ">",
    "+",
    "-",
    "*",
    "/",
    "%",
    "^",
    "(",
    ")",
    "[",
    "]",
    ",",
    "|",
    ":",  # SOURCE logGroups(namePrefix: [...])
)
_IDENT_START = re.compile(r"[A-Za-z_@$]")
_IDENT = re.compile(r"[A-Za-z_@$][A-Za-z0-9_@$.]*")
_NUMBER = re.compile(r"(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_UNIT_WORD = re.compile(r"[A-Za-z]+")
_DIGITS = "0123456789"


@dataclasses.dataclass
class _Token:
    kind: str  # IDENT, STRING, REGEX, NUMBER, DURATION, OP, EOF
    value: Any
    start: int
    end: int
    quoted: bool = False  # backticked identifier
    command_start: bool = False

    def is_word(self, word: str) -> bool:
        return self.kind == "IDENT" and not self.quoted and self.value.lower() == word

    def is_op(self, op: str) -> bool:
        return self.kind == "OP" and self.value == op


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def _regex_allowed(tokens: list[_Token]) -> bool:
    """Whether a '/' starts a regular expression (rather than being the division operator)."""
    if not tokens:
        return True
    prev = tokens[-1]
    if prev.kind == "OP":
        return prev.value not in (")", "]")
    if prev.kind != "IDENT":
        return False
    if not prev.quoted:
        word = prev.value.lower()
        if word in ("like", "and", "or", "not", "in"):
            return True
        if prev.command_start and word == "parse":  # parse /regex/ (field defaults to @message)
            return True
    # parse <field> /regex/
    return len(tokens) >= 2 and tokens[-2].command_start and tokens[-2].is_word("parse")


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)

    def fail(message: str, offset: int) -> MalformedQuery:
        return MalformedQuery(message, *_position(text, offset))

    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
            continue
        if c == "#":  # comment to end of line
            newline = text.find("\n", i)
            i = n if newline < 0 else newline + 1
            continue
        start = i
        command_start = not tokens or tokens[-1].is_op("|")
        if c in "\"'":
            chars: list[str] = []
            i += 1
            while True:
                if i >= n:
                    raise fail("unterminated string literal", start)
                ch = text[i]
                if ch == "\\" and i + 1 < n:
                    nxt = text[i + 1]
                    chars.append(
                        {"n": "\n", "t": "\t", "r": "\r"}.get(nxt, nxt) if nxt in "ntr\"'\\" else "\\" + nxt
                    )
                    i += 2
                    continue
                if ch == c:
                    i += 1
                    break
                chars.append(ch)
                i += 1
            tokens.append(_Token("STRING", "".join(chars), start, i, command_start=command_start))
            continue
        if c == "`":
            close = text.find("`", i + 1)
            if close < 0:
                raise fail("unterminated backtick field name", start)
            name = text[i + 1 : close]
            if not name:
                raise fail("empty backtick field name", start)
            i = close + 1
            tokens.append(_Token("IDENT", name, start, i, quoted=True, command_start=command_start))
            continue
        if c == "/" and _regex_allowed(tokens):
            i += 1
            in_class = False
            while True:
                if i >= n:
                    raise fail("unterminated regular expression (missing closing '/')", start)
                ch = text[i]
                if ch == "\\" and i + 1 < n:
                    i += 2
                    continue
                if ch == "[":
                    in_class = True
                elif ch == "]":
                    in_class = False
                elif ch == "/" and not in_class:
                    break
                i += 1
            pattern = text[start + 1 : i]
            i += 1
            if i < n and (text[i].isalpha()):
                raise fail(
                    "regular expression flags after the closing '/' are not supported by Logs Insights; "
                    "put an inline flag such as (?i) at the start of the pattern",
                    i,
                )
            tokens.append(_Token("REGEX", pattern, start, i, command_start=command_start))
            continue
        if c in _DIGITS or (c == "." and i + 1 < n and text[i + 1] in _DIGITS):
            match = _NUMBER.match(text, i)
            assert match is not None
            i = match.end()
            literal = match.group()
            number: int | float = float(literal) if any(ch in literal for ch in ".eE") else int(literal)
            unit = _UNIT_WORD.match(text, i)
            if unit:
                i = unit.end()
                tokens.append(
                    _Token("DURATION", (number, unit.group()), start, i, command_start=command_start)
                )
            else:
                if i < n and (text[i] == "_" or text[i] == "@"):
                    raise fail(f"unexpected character {text[i]!r} after number", i)
                tokens.append(_Token("NUMBER", number, start, i, command_start=command_start))
            continue
        after_member = tokens and (
            tokens[-1].is_op("]") or (tokens[-1].kind == "IDENT" and tokens[-1].quoted)
        )
        if c == "." and after_member and (_IDENT_START.match(text, i + 1) or text.startswith("`", i + 1)):
            # list[1].action or map.`special.char`.more: member access (structure types)
            i += 1
            tokens.append(_Token("OP", ".", start, i, command_start=command_start))
            continue
        if _IDENT_START.match(c):
            match = _IDENT.match(text, i)
            assert match is not None
            i = match.end()
            name = match.group()
            if name.endswith(".") and text.startswith("`", i):
                # map.attributes.`special.char`: the backticked member follows a '.' operator
                tokens.append(_Token("IDENT", name[:-1], start, i - 1, command_start=command_start))
                tokens.append(_Token("OP", ".", i - 1, i))
                continue
            tokens.append(_Token("IDENT", name, start, i, command_start=command_start))
            continue
        for op in _OPERATORS:
            if text.startswith(op, i):
                i += len(op)
                tokens.append(_Token("OP", op, start, i, command_start=command_start))
                break
        else:
            raise fail(f"unexpected character {c!r}", i)
    tokens.append(_Token("EOF", None, n, n))
    return tokens
