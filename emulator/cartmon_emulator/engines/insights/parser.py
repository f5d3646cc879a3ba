"""The command parser: the pipeline of commands and each command's arguments."""

from __future__ import annotations

from collections.abc import Iterable

from cartmon_emulator.engines.insights.aggregates import _Aggregate
from cartmon_emulator.engines.insights.commands import (
    _REFUSED_WITH_REASON,
    _UNSUPPORTED_COMMANDS,
    _AnomalyCommand,
    _Command,
    _DedupCommand,
    _DiffCommand,
    _FieldsCommand,
    _FilterCommand,
    _FilterIndexCommand,
    _Item,
    _JsonCommand,
    _LimitCommand,
    _ParseCommand,
    _PatternCommand,
    _SortCommand,
    _SourceCommand,
    _StatsCommand,
    _UnnestCommand,
)
from cartmon_emulator.engines.insights.expression_parser import _ExpressionParser
from cartmon_emulator.engines.insights.expressions import (
    _Call,
    _Comparison,
    _Field,
    _Membership,
    _Node,
)
from cartmon_emulator.engines.insights.functions import _SCALAR_FUNCTIONS
from cartmon_emulator.engines.insights.model import (
    _MAX_QUERY_LIMIT,
    MalformedQuery,
    UnsupportedQuery,
)
from cartmon_emulator.engines.insights.patterns import _glob_regex, _translate_regex
from cartmon_emulator.engines.insights.tokenizer import (
    _KEYWORDS,
    _position,
)


class _Parser(_ExpressionParser):
    """Parses a whole query into commands."""

    # -- query --------------------------------------------------------------------------------------------
    def parse(self) -> list[_Command]:
        if self.peek().kind == "EOF":
            raise MalformedQuery("the query is empty", 1, 1)
        commands: list[_Command] = []
        while True:
            commands.append(self.command())
            token = self.peek()
            if token.kind == "EOF":
                return commands
            if not token.is_op("|"):
                raise self.error(f"unexpected {self.describe(token)}; expected '|' or the end of the query")
            self.advance()
            if self.peek().kind == "EOF":
                raise self.error("expected a command after '|'")

    def command(self) -> _Command:
        token = self.peek()
        if token.kind != "IDENT" or token.quoted:
            raise self.error(f"expected a command but found {self.describe(token)}")
        word = token.value.lower()
        handler = {
            "fields": self.fields_command,
            "display": self.fields_command,
            "filter": self.filter_command,
            "parse": self.parse_command,
            "stats": self.stats_command,
            "sort": self.sort_command,
            "limit": self.limit_command,
            "dedup": self.dedup_command,
            "filterindex": self.filter_index_command,
            "unnest": self.unnest_command,
            "json": self.json_command,
            "pattern": self.pattern_command,
            "diff": self.diff_command,
            "anomaly": self.anomaly_command,
            "source": self.source_command,
            "unmask": self.unmask_command,
        }.get(word)
        if handler is None:
            if word in _REFUSED_WITH_REASON:
                raise self.error(_REFUSED_WITH_REASON[word], cls=UnsupportedQuery)
            if word in _UNSUPPORTED_COMMANDS:
                raise self.error(
                    f"the '{token.value}' command is not supported by this emulator", cls=UnsupportedQuery
                )
            raise self.error(f"unknown or unsupported command '{token.value}'", cls=UnsupportedQuery)
        self.advance()
        if self.at_command_end() and word not in ("diff", "anomaly"):
            raise self.error(f"the '{word}' command needs arguments")
        command = handler(word)
        command.offset = token.start  # type: ignore[union-attr]  # for errors found by _validate
        return command

    def item_list(self, allow_alias: bool = True) -> list[_Item]:
        items: list[_Item] = []
        while True:
            expr = self.expression()
            name, aliased = (expr.name, False) if isinstance(expr, _Field) else (expr.text, False)
            if allow_alias and self.peek().is_word("as"):
                self.advance()
                name, aliased = self.alias(), True
            items.append(_Item(expr, name, aliased))
            if self.peek().is_op(","):
                self.advance()
                continue
            return items

    def alias(self) -> str:
        token = self.peek()
        if token.kind != "IDENT" or (not token.quoted and token.value.lower() in _KEYWORDS):
            raise self.error(f"expected a name after 'as' but found {self.describe(token)}")
        self.advance()
        return token.value

    def fields_command(self, word: str) -> _Command:
        return _FieldsCommand(word, self.item_list())

    def filter_command(self, word: str) -> _Command:
        return _FilterCommand(self.expression())

    def filter_index_command(self, word: str) -> _Command:
        # CWL_QuerySyntax-FilterIndex: `field = value` or `field in [values]`, one indexed field per command.
        start = self.peek().start
        condition = self.expression()
        equality = (
            isinstance(condition, _Comparison) and condition.op == "=" and isinstance(condition.left, _Field)
        )
        membership = (
            isinstance(condition, _Membership)
            and not condition.negate
            and isinstance(condition.operand, _Field)
        )
        if not (equality or membership):
            raise self.error("filterIndex needs 'field = value' or 'field in [values]'", start)
        return _FilterIndexCommand(condition)

    def unmask_command(self, word: str) -> _Command:
        # CWL_QuerySyntax-Unmask names the command without its form; the emulator reads `unmask f1, f2` as
        # `fields unmask(f1) as f1, unmask(f2) as f2` (the function form of mask-sensitive-log-data.html).
        items: list[_Item] = []
        while True:
            start = self.peek().start
            name = self.field_name()
            field = self.finish(_Field(name), start)
            function = _SCALAR_FUNCTIONS["unmask"][0]
            call = self.finish(_Call("unmask", [field], function), start)
            items.append(_Item(call, name, True))
            if not self.peek().is_op(","):
                return _FieldsCommand("fields", items)
            self.advance()

    def source_command(self, word: str) -> _Command:
        # CWL_QuerySyntax-Source: SOURCE logGroups(namePrefix: [..], accountIdentifiers: [..], class: [..]);
        # up to 5 prefixes and 20 account identifiers; class STANDARD or INFREQUENT_ACCESS.
        if not self.peek().is_word("loggroups") or not self.peek(1).is_op("("):
            raise self.error("SOURCE needs logGroups(...)")
        self.advance()
        self.advance()
        lists: dict[str, tuple[str, ...]] = {}
        while not self.peek().is_op(")"):
            key_token = self.peek()
            keys = {"nameprefix": "namePrefix", "accountidentifiers": "accountIdentifiers", "class": "class"}
            key = keys.get(str(key_token.value).lower()) if key_token.kind == "IDENT" else None
            if key is None or key in lists:
                raise self.error(
                    f"logGroups takes namePrefix, accountIdentifiers and class once each, not "
                    f"{self.describe(key_token)}"
                )
            self.advance()
            self.expect_op(":")
            self.expect_op("[")
            values: list[str] = []
            while not self.peek().is_op("]"):
                token = self.peek()
                if token.kind != "STRING":
                    raise self.error(f"expected a quoted string in {key} but found {self.describe(token)}")
                values.append(self.advance().value)
                if self.peek().is_op(","):
                    self.advance()
            self.advance()
            lists[key] = tuple(values)
            if self.peek().is_op(","):
                self.advance()
        self.advance()
        if len(lists.get("namePrefix", ())) > 5:
            raise self.error("SOURCE takes at most 5 name prefixes")
        if len(lists.get("accountIdentifiers", ())) > 20:
            raise self.error("SOURCE takes at most 20 account identifiers")
        classes = lists.get("class") or ("STANDARD",)
        for name in classes:
            if name not in ("STANDARD", "INFREQUENT_ACCESS"):
                raise self.error(f"class must be STANDARD or INFREQUENT_ACCESS, not '{name}'")
        return _SourceCommand(lists.get("namePrefix", ()), lists.get("accountIdentifiers", ()), classes)

    def diff_command(self, word: str) -> _Command:
        # CWL_QuerySyntax-Diff: `diff`, `diff previousDay`, `diff previousWeek` or `diff previousMonth`.
        if self.at_command_end():
            return _DiffCommand("previous")
        token = self.peek()
        for period in ("previousDay", "previousWeek", "previousMonth"):
            if token.is_word(period.lower()):
                self.advance()
                return _DiffCommand(period)
        raise self.error(
            f"diff takes previousDay, previousWeek or previousMonth, not {self.describe(token)}", token.start
        )

    def anomaly_command(self, word: str) -> _Command:
        # CWL_QuerySyntax-Anomaly: "does not require additional parameters".
        if not self.at_command_end():
            raise self.error("anomaly takes no arguments")
        return _AnomalyCommand()

    def pattern_command(self, word: str) -> _Command:
        # CWL_QuerySyntax-Pattern: @message, a parsed field, or a string built with string functions.
        return _PatternCommand(self.expression())

    def unnest_command(self, word: str) -> _Command:
        # CWL_QuerySyntax-Unnest: `unnest field into unnested_field`.
        source = self.expression()
        if not self.peek().is_word("into"):
            raise self.error(f"expected 'into' after the unnest field but found {self.describe(self.peek())}")
        self.advance()
        return _UnnestCommand(source, self.alias())

    def parse_command(self, word: str) -> _Command:
        token = self.peek()
        if token.kind in ("STRING", "REGEX"):
            source: _Node = _Field("@message")
            source.text = "@message"
        else:
            start = token.start
            if token.kind != "IDENT" or (not token.quoted and token.value.lower() in _KEYWORDS):
                raise self.error(
                    f"expected a field, a \"glob\" or a /regex/ after 'parse' but found {self.describe(token)}"
                )
            source = self.finish(_Field(self.advance().value), start)
        token = self.peek()
        if token.kind == "IDENT" and not token.quoted and token.value.lower() in ("logfmt", "csv"):
            # CWL_QuerySyntax-Parse: `parse field logfmt as alias` (one map) and `parse field csv as a, b, c`.
            mode = token.value.lower()
            self.advance()
            if not self.peek().is_word("as"):
                raise self.error(f"'parse ... {mode}' needs 'as' followed by field names")
            self.advance()
            names = self.name_list()
            if mode == "logfmt" and len(names) != 1:
                raise self.error(
                    "'parse ... logfmt' takes one name after 'as': the map of its keys", token.start
                )
            return _ParseCommand(source, None, [(index, name) for index, name in enumerate(names)], mode)
        if token.kind == "STRING":
            self.advance()
            pattern = token.value
            wildcards = pattern.count("*")
            if wildcards == 0:
                raise self.error("a parse glob needs at least one '*' wildcard", token.start)
            if not self.peek().is_word("as"):
                raise self.error("a parse glob needs 'as' followed by one field name per '*'")
            self.advance()
            names = self.name_list()
            if len(names) != wildcards:
                raise self.error(
                    f"the parse glob has {wildcards} '*' wildcard(s) but {len(names)} field name(s) after 'as'",
                    token.start,
                )
            groups: list[tuple[str | int, str]] = [(index + 1, name) for index, name in enumerate(names)]
            command = _ParseCommand(source, _glob_regex(pattern), groups)
        elif token.kind == "REGEX":
            self.advance()
            regex = _translate_regex(
                token.value, lambda message: MalformedQuery(message, *_position(self.text, token.start))
            )
            if self.peek().is_word("as"):
                self.advance()
                names = self.name_list()
                if regex.names:
                    raise self.error("use either named capture groups or 'as', not both", token.start)
                if len(names) != regex.compiled.groups:
                    raise self.error(
                        f"the regular expression has {regex.compiled.groups} capture group(s) but {len(names)} "
                        "field name(s) after 'as'",
                        token.start,
                    )
                groups = [(index + 1, name) for index, name in enumerate(names)]
            else:
                if not regex.names:
                    raise self.error(
                        "a parse regular expression needs named capture groups such as (?<name>...)",
                        token.start,
                    )
                groups = list(regex.names)
            command = _ParseCommand(source, regex.compiled, groups)
        else:
            raise self.error(
                f"expected a \"glob\" or a /regex/ after 'parse' but found {self.describe(token)}"
            )
        if self.peek().is_word("multi"):
            if token.kind != "REGEX":
                raise self.error("'multi' follows a parse /regex/, not a glob")
            self.advance()
            command.multi = True
        return command

    def json_command(self, word: str) -> _Command:
        # CWL_QuerySyntax-Parse (JSON field extraction): `json field=name "key.subkey" as alias`.
        if not self.peek().is_word("field") or not self.peek(1).is_op("="):
            raise self.error("json needs 'field=' followed by a field name")
        self.advance()
        self.advance()
        start = self.peek().start
        source = self.finish(_Field(self.field_name()), start)
        token = self.peek()
        if token.kind != "STRING":
            raise self.error(f'expected a "key.path" after the json field but found {self.describe(token)}')
        self.advance()
        if not self.peek().is_word("as"):
            raise self.error("json needs 'as' followed by a field name")
        self.advance()
        return _JsonCommand(source, token.value, self.alias())

    def name_list(self) -> list[str]:
        names = [self.alias()]
        while self.peek().is_op(","):
            self.advance()
            names.append(self.alias())
        return names

    def stats_command(self, word: str) -> _Command:
        items = self.item_list()
        by: list[_Item] = []
        if self.peek().is_word("by"):
            self.advance()
            by = self.item_list()
        aggregates: list[_Aggregate] = []
        for item in items:
            found = [node for node in item.expr.walk() if isinstance(node, _Aggregate)]
            if not found:
                raise MalformedQuery(
                    f"'{item.expr.text}' in stats must use an aggregate function such as count() or avg()",
                    *_position(self.text, item.expr.start),
                )
            for node in found:
                for inner in node.args:
                    if any(isinstance(n, _Aggregate) for n in inner.walk()):
                        raise MalformedQuery(
                            f"aggregate functions cannot be nested: '{node.text}'",
                            *_position(self.text, node.start),
                        )
            for outside in self._outside_aggregates(item.expr):
                if isinstance(outside, _Field):
                    raise MalformedQuery(
                        f"field '{outside.name}' in stats must be inside an aggregate function or listed after 'by'",
                        *_position(self.text, outside.start),
                    )
            aggregates.extend(found)
        for item in by:
            for inside in item.expr.walk():
                if isinstance(inside, _Aggregate):
                    raise MalformedQuery(
                        f"aggregate function '{inside.text}' cannot be used after 'by'",
                        *_position(self.text, inside.start),
                    )
        return _StatsCommand(items, by, aggregates)

    @staticmethod
    def _outside_aggregates(node: _Node) -> Iterable[_Node]:
        if isinstance(node, _Aggregate):
            return
        yield node
        for child in node.children():
            yield from _Parser._outside_aggregates(child)

    def sort_command(self, word: str) -> _Command:
        keys: list[tuple[_Node, bool]] = []
        while True:
            expr = self.expression()
            descending = True  # Logs Insights sorts descending unless told otherwise
            if self.peek().is_word("asc"):
                self.advance()
                descending = False
            elif self.peek().is_word("desc"):
                self.advance()
            keys.append((expr, descending))
            if not self.peek().is_op(","):
                return _SortCommand(keys)
            self.advance()

    def limit_command(self, word: str) -> _Command:
        any_order = False
        if self.peek().is_word("any") and self.peek(1).kind == "NUMBER":
            self.advance()
            any_order = True
        token = self.peek()
        if token.kind != "NUMBER" or not isinstance(token.value, int):
            raise self.error(f"limit needs a whole number but found {self.describe(token)}")
        if not 1 <= token.value <= _MAX_QUERY_LIMIT:
            raise self.error(f"limit must be between 1 and {_MAX_QUERY_LIMIT}")
        self.advance()
        return _LimitCommand(token.value, any_order)

    def dedup_command(self, word: str) -> _Command:
        names = [self.field_name()]
        while self.peek().is_op(","):
            self.advance()
            names.append(self.field_name())
        return _DedupCommand(names)

    def field_name(self) -> str:
        token = self.peek()
        if token.kind != "IDENT" or (not token.quoted and token.value.lower() in _KEYWORDS):
            raise self.error(f"expected a field name but found {self.describe(token)}")
        self.advance()
        return token.value
