"""Regular expressions (AWS documents RE2) translated to Python's ``re``, and parse glob patterns."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from cartmon_emulator.engines.insights.model import (
    InsightsQueryError,
    UnsupportedQuery,
)


@dataclasses.dataclass(frozen=True)
class _Regex:
    source: str
    compiled: re.Pattern[str]
    names: tuple[tuple[str, str], ...]  # (python group name, Logs Insights field name)


def _translate_regex(source: str, error: Callable[[str], InsightsQueryError]) -> _Regex:
    out: list[str] = []
    names: list[tuple[str, str]] = []
    # One entry per open group: the flags of a scoped "(?i)" wrapper opened inside it, if any.
    stack: list[str | None] = [None]
    multiline = False
    i, n = 0, len(source)
    while i < n:
        c = source[i]
        if c == "\\":
            if i + 1 >= n:
                raise error("regular expression ends with a lone backslash")
            nxt = source[i + 1]
            if nxt == "z":
                out.append(r"\Z")
            elif nxt in "pPC":
                raise UnsupportedQuery(
                    f"regular expression escape '\\{nxt}' is not supported by this emulator"
                )
            elif nxt == "Q":
                end = source.find("\\E", i + 2)
                literal = source[i + 2 :] if end < 0 else source[i + 2 : end]
                out.append(re.escape(literal))
                i = n if end < 0 else end + 2
                continue
            else:
                out.append(source[i : i + 2])
            i += 2
            continue
        if c == "[":
            j = i + 1
            if j < n and source[j] == "^":
                j += 1
            if j < n and source[j] == "]":
                j += 1
            while j < n and source[j] != "]":
                j += 2 if source[j] == "\\" else 1
            if j >= n:
                raise error("unterminated character class in regular expression")
            out.append(source[i : j + 1])
            i = j + 1
            continue
        if c == "(":
            if (
                source.startswith("(?<", i)
                and not source.startswith(("(?<=", "(?<!"), i)
                or source.startswith("(?P<", i)
            ):
                name_start = source.index("<", i) + 1
                name_end = source.find(">", name_start)
                if name_end < 0:
                    raise error("unterminated group name in regular expression")
                name = source[name_start:name_end]
                if not re.fullmatch(r"[A-Za-z_@][A-Za-z0-9_@.]*", name):
                    raise error(f"invalid capture group name {name!r} in regular expression")
                python_name = f"_g{len(names)}"
                names.append((python_name, name))
                out.append(f"(?P<{python_name}>")
                stack.append(None)
                i = name_end + 1
                continue
            flags = re.match(r"\(\?([a-zA-Z-]+)\)", source[i:])
            if flags:
                letters = flags.group(1)
                if set(letters) - set("imsx-"):
                    raise UnsupportedQuery(f"regular expression flags '(?{letters})' are not supported")
                if "m" in letters.split("-")[0]:
                    multiline = True
                i += flags.end()
                if not out and len(stack) == 1 and stack[-1] is None:
                    # leading global flag: Python accepts it as is
                    out.append(f"(?{letters})")
                    continue
                if stack[-1] is not None:
                    out.append(")")
                out.append(f"(?{letters}:")
                stack[-1] = letters
                continue
            out.append("(")
            stack.append(None)
            i += 1
            continue
        if c == ")":
            if len(stack) == 1:
                raise error("unbalanced ')' in regular expression")
            if stack.pop() is not None:
                out.append(")")
            out.append(")")
            i += 1
            continue
        if c == "|" and stack[-1] is not None:
            out.append(f")|(?{stack[-1]}:")
            i += 1
            continue
        if c == "$" and not multiline:
            out.append(r"\Z")  # RE2's $ (without m) matches only at the very end
            i += 1
            continue
        out.append(c)
        i += 1
    if len(stack) > 1:
        raise error("unbalanced '(' in regular expression")
    if stack[-1] is not None:
        out.append(")")
    python_source = "".join(out)
    try:
        compiled = re.compile(python_source)
    except re.error as exc:
        raise error(f"invalid regular expression /{source}/: {exc}") from None
    return _Regex(source, compiled, tuple(names))


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """parse glob: each '*' captures; inner ones lazily, a trailing one to the end of the value."""
    parts = pattern.split("*")
    out = [re.escape(parts[0])]
    for index, literal in enumerate(parts[1:], start=1):
        last = index == len(parts) - 1
        out.append("(.*)" if last and literal == "" else "(.*?)")
        out.append(re.escape(literal))
    return re.compile("".join(out), re.DOTALL)
