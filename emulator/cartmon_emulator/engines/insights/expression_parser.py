"""Recursive-descent parser for expressions and function calls (shared by every command)."""

from __future__ import annotations

from typing import Any

from cartmon_emulator.engines.insights.aggregates import _AGGREGATE_FUNCTIONS, _Aggregate
from cartmon_emulator.engines.insights.expressions import (
    _Access,
    _And,
    _Arithmetic,
    _Call,
    _Comparison,
    _Field,
    _Literal,
    _Match,
    _Membership,
    _Negate,
    _Node,
    _Not,
    _Or,
    _PeriodLiteral,
)
from cartmon_emulator.engines.insights.functions import (
    _KNOWN_UNSUPPORTED_FUNCTIONS,
    _SCALAR_FUNCTIONS,
)
from cartmon_emulator.engines.insights.model import (
    InsightsQueryError,
    MalformedQuery,
    UnsupportedQuery,
)
from cartmon_emulator.engines.insights.patterns import _translate_regex
from cartmon_emulator.engines.insights.periods import (
    _UNIT_CAP,
    _UNITS,
    _Period,
)
from cartmon_emulator.engines.insights.tokenizer import (
    _KEYWORDS,
    _position,
    _Token,
    _tokenize,
)


class _ExpressionParser:
    """Token helpers and the expression grammar; :class:`_Parser` adds the commands."""

    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokenize(text)
        self.index = 0

    # -- token helpers ------------------------------------------------------------------------------------
    def peek(self, offset: int = 0) -> _Token:
        return self.tokens[min(self.index + offset, len(self.tokens) - 1)]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        if token.kind != "EOF":
            self.index += 1
        return token

    def last_end(self) -> int:
        return self.tokens[self.index - 1].end if self.index else 0

    def error(self, message: str, offset: int | None = None, cls: type[InsightsQueryError] = MalformedQuery):
        where = self.peek().start if offset is None else offset
        return cls(message, *_position(self.text, where))

    def describe(self, token: _Token) -> str:
        if token.kind == "EOF":
            return "end of query"
        return repr(self.text[token.start : token.end])

    def expect_op(self, op: str) -> _Token:
        token = self.peek()
        if not token.is_op(op):
            raise self.error(f"expected '{op}' but found {self.describe(token)}")
        return self.advance()

    def at_command_end(self) -> bool:
        token = self.peek()
        return token.kind == "EOF" or token.is_op("|")

    def finish(self, node: _Node, start: int) -> _Node:
        node.start = start
        node.text = self.text[start : self.last_end()].strip()
        return node

    # -- expressions --------------------------------------------------------------------------------------
    def expression(self) -> _Node:
        return self.or_expr()

    def or_expr(self) -> _Node:
        start = self.peek().start
        node = self.and_expr()
        while self.peek().is_word("or"):
            self.advance()
            node = self.finish(_Or(node, self.and_expr()), start)
        return node

    def and_expr(self) -> _Node:
        start = self.peek().start
        node = self.not_expr()
        while self.peek().is_word("and"):
            self.advance()
            node = self.finish(_And(node, self.not_expr()), start)
        return node

    def not_expr(self) -> _Node:
        start = self.peek().start
        if self.peek().is_word("not"):
            self.advance()
            return self.finish(_Not(self.not_expr()), start)
        return self.comparison()

    def comparison(self) -> _Node:
        start = self.peek().start
        left = self.additive()
        token = self.peek()
        if token.kind == "OP" and token.value in ("=", "!=", "<", "<=", ">", ">="):
            self.advance()
            return self.finish(_Comparison(token.value, left, self.additive()), start)
        if token.is_op("=~"):
            self.advance()
            return self.finish(self.match(left, negate=False, operator="=~"), start)
        negate = False
        if token.is_word("not") and (self.peek(1).is_word("like") or self.peek(1).is_word("in")):
            self.advance()
            negate = True
            token = self.peek()
        if token.is_word("like"):
            self.advance()
            return self.finish(self.match(left, negate=negate, operator="like"), start)
        if token.is_word("in"):
            self.advance()
            return self.finish(_Membership(left, self.literal_list(), negate), start)
        return left

    def match(self, operand: _Node, negate: bool, operator: str) -> _Node:
        token = self.peek()
        if token.kind == "STRING":
            self.advance()
            return _Match(operand, token.value, None, negate)
        if token.kind == "REGEX":
            self.advance()
            regex = _translate_regex(
                token.value, lambda message: MalformedQuery(message, *_position(self.text, token.start))
            )
            return _Match(operand, None, regex, negate)
        raise self.error(
            f"expected a \"string\" or a /regex/ after '{operator}' but found {self.describe(token)}"
        )

    def literal_list(self) -> list[Any]:
        self.expect_op("[")
        items: list[Any] = []
        if self.peek().is_op("]"):
            self.advance()
            return items
        while True:
            token = self.peek()
            sign = 1
            if token.is_op("-"):
                self.advance()
                sign = -1
                token = self.peek()
            if token.kind == "NUMBER":
                items.append(sign * token.value)
            elif token.kind == "STRING" and sign == 1:
                items.append(token.value)
            else:
                raise self.error(f"expected a string or number in the list but found {self.describe(token)}")
            self.advance()
            if self.peek().is_op(","):
                self.advance()
                continue
            self.expect_op("]")
            return items

    def additive(self) -> _Node:
        start = self.peek().start
        node = self.multiplicative()
        while self.peek().kind == "OP" and self.peek().value in ("+", "-"):
            op = self.advance().value
            node = self.finish(_Arithmetic(op, node, self.multiplicative()), start)
        return node

    def multiplicative(self) -> _Node:
        start = self.peek().start
        node = self.power()
        while self.peek().kind == "OP" and self.peek().value in ("*", "/", "%"):
            op = self.advance().value
            node = self.finish(_Arithmetic(op, node, self.power()), start)
        return node

    def power(self) -> _Node:
        start = self.peek().start
        node = self.unary()
        if self.peek().is_op("^"):
            self.advance()
            node = self.finish(_Arithmetic("^", node, self.power()), start)
        return node

    def unary(self) -> _Node:
        start = self.peek().start
        if self.peek().is_op("-"):
            self.advance()
            return self.finish(_Negate(self.unary()), start)
        if self.peek().is_op("+"):
            self.advance()
            return self.unary()
        return self.primary()

    def primary(self) -> _Node:
        start = self.peek().start
        node = self.atom()
        # Structure types: list[index] and, after a bracket, .member (json_message.users[1].action).
        while self.peek().is_op("[") or self.peek().is_op("."):
            if self.advance().value == "[":
                key = self.expression()
                self.expect_op("]")
            else:
                token = self.peek()
                if token.kind != "IDENT":
                    raise self.error(f"expected a member name after '.' but found {self.describe(token)}")
                self.advance()
                for part in [token.value] if token.quoted else token.value.split("."):
                    node = self.finish(_Access(node, _Literal(part)), start)
                continue
            node = self.finish(_Access(node, key), start)
        return node

    def atom(self) -> _Node:
        token = self.peek()
        start = token.start
        if token.kind == "NUMBER":
            self.advance()
            return self.finish(_Literal(token.value), start)
        if token.kind == "STRING":
            self.advance()
            return self.finish(_Literal(token.value), start)
        if token.kind == "DURATION":
            self.advance()
            return self.finish(_PeriodLiteral(self.period(token)), start)
        if token.kind == "REGEX":
            raise self.error("a /regex/ is only allowed after 'like', 'not like', '=~' or in 'parse'")
        if token.is_op("("):
            self.advance()
            inner = self.expression()
            self.expect_op(")")
            return self.finish(inner, start)
        if token.kind == "IDENT":
            if token.quoted:
                self.advance()
                return self.finish(_Field(token.value), start)
            word = token.value.lower()
            if self.peek(1).is_op("("):
                return self.call()
            if word in _KEYWORDS:
                raise self.error(f"unexpected keyword '{token.value}'")
            self.advance()
            if word in ("true", "false"):
                return self.finish(_Literal(word == "true"), start)
            return self.finish(_Field(token.value), start)
        raise self.error(f"expected a field, literal or function but found {self.describe(token)}")

    def period(self, token: _Token) -> _Period:
        amount, unit_text = token.value
        unit = _UNITS.get(unit_text.lower())
        if unit is None:
            raise self.error(
                f"unknown time unit '{unit_text}' in '{self.text[token.start : token.end]}'", token.start
            )
        if not isinstance(amount, int) or amount <= 0:
            raise self.error("a time period needs a positive whole number", token.start)
        return _Period(min(amount, _UNIT_CAP.get(unit, amount)), unit)

    def call(self) -> _Node:
        name_token = self.advance()
        start = name_token.start
        name = name_token.value
        lower = name.lower()
        self.expect_op("(")
        args: list[_Node] = []
        star = False
        if self.peek().is_op("*"):
            if lower != "count":
                raise self.error(f"'*' is only allowed in count(*), not in {name}()")
            self.advance()
            star = True
        elif not self.peek().is_op(")"):
            while True:
                args.append(self.expression())
                if not self.peek().is_op(","):
                    break
                self.advance()
        self.expect_op(")")
        if lower in _AGGREGATE_FUNCTIONS:
            return self.finish(self.aggregate(lower, name, args, star, start), start)
        if lower in _SCALAR_FUNCTIONS:
            function, minimum, maximum, period_positions = _SCALAR_FUNCTIONS[lower]
            if len(args) < minimum or (maximum is not None and len(args) > maximum):
                expected = (
                    f"{minimum}"
                    if minimum == maximum
                    else f"{minimum} or more"
                    if maximum is None
                    else f"{minimum} to {maximum}"
                )
                raise self.error(f"{name}() takes {expected} argument(s), got {len(args)}", start)
            for position, arg in enumerate(args):
                if (position in period_positions) != isinstance(arg, _PeriodLiteral):
                    if position in period_positions:
                        raise self.error(
                            f"argument {position + 1} of {name}() must be a time period such as 5m", arg.start
                        )
                    raise self.error(
                        f"a time period such as '{arg.text}' is only allowed in bin(), datefloor() and dateceil()",
                        arg.start,
                    )
            return self.finish(_Call(lower, args, function), start)
        if lower in _KNOWN_UNSUPPORTED_FUNCTIONS:
            raise self.error(
                f"the function '{name}' is not supported by this emulator", start, UnsupportedQuery
            )
        raise self.error(f"unknown or unsupported function '{name}'", start, UnsupportedQuery)

    def aggregate(self, lower: str, name: str, args: list[_Node], star: bool, start: int) -> _Aggregate:
        for arg in args:
            if isinstance(arg, _PeriodLiteral):
                raise self.error(f"a time period is not a valid argument of {name}()", arg.start)
        if lower == "count":
            if star or not args:
                return _Aggregate(lower, [], star=True)  # count() == count(*)
            if len(args) != 1:
                raise self.error(f"{name}() takes one argument, got {len(args)}", start)
            return _Aggregate(lower, args, star=False)
        if star:
            raise self.error(f"'*' is only allowed in count(*), not in {name}()", start)
        if lower == "pct":
            if len(args) != 2:
                raise self.error(f"{name}() takes a field and a percentile, e.g. pct(latency, 95)", start)
            percentile = args[1]
            value = percentile.value if isinstance(percentile, _Literal) else None
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100:
                raise self.error(
                    "the percentile of pct() must be a number between 0 and 100", percentile.start
                )
            return _Aggregate(lower, args[:1], star=False, percentile=float(value))
        if len(args) != 1:
            raise self.error(f"{name}() takes one argument, got {len(args)}", start)
        return _Aggregate(lower, args, star=False)
