"""A text widget's markdown as safe HTML for the page, and as styled lines for the picture."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

_INLINE: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    (re.compile(r"`([^`]+)`"), r"<code>\1</code>"),
    (re.compile(r"\*\*([^*]+)\*\*|__([^_]+)__"), lambda m: f"<strong>{m[1] or m[2]}</strong>"),
    (
        re.compile(r"(?<![*\w])\*([^*]+)\*(?!\*)|(?<![_\w])_([^_]+)_(?!\w)"),
        lambda m: f"<em>{m[1] or m[2]}</em>",
    ),
]
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def _inline_html(text: str) -> str:
    links: list[str] = []

    def keep_link(match):
        url = match[2]
        safe = url if re.match(r"^(https?:|mailto:|#|/)", url) else "#"
        links.append(f'<a href="{html.escape(safe)}">{html.escape(match[1])}</a>')
        return f"\x00{len(links) - 1}\x00"

    text = _LINK.sub(keep_link, text)
    text = html.escape(text, quote=False)
    for pattern, replacement in _INLINE:
        text = pattern.sub(replacement, text)
    return re.sub(r"\x00(\d+)\x00", lambda m: links[int(m[1])], text)


def markdown_to_html(markdown: str) -> str:
    """The markdown subset text widgets use: headings, lists, paragraphs, code, emphasis, links,
    horizontal rules and pipe tables."""
    out: list[str] = []
    lines = markdown.replace("\r\n", "\n").split("\n")
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        if not line.strip():
            i += 1
            continue
        if heading := re.match(r"^(#{1,6})\s+(.*)$", line):
            level = len(heading[1])
            out.append(
                f"<h{level + 2 if level < 5 else 6}>{_inline_html(heading[2])}</h{level + 2 if level < 5 else 6}>"
            )
            i += 1
        elif re.match(r"^\s*([-*_])(\s*\1){2,}\s*$", line):
            out.append("<hr>")
            i += 1
        elif re.match(r"^\s*([-*+]|\d+[.)])\s+", line):
            ordered = bool(re.match(r"^\s*\d", line))
            items = []
            while i < len(lines) and re.match(r"^\s*([-*+]|\d+[.)])\s+", lines[i]):
                items.append(f"<li>{_inline_html(re.sub(r'^\s*([-*+]|\d+[.)])\s+', '', lines[i]))}</li>")
                i += 1
            tag = "ol" if ordered else "ul"
            out.append(f"<{tag}>{''.join(items)}</{tag}>")
        elif line.lstrip().startswith("|"):
            rows = []
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                cells = [c.strip() for c in lines[i].strip().strip("|").split("|")]
                if not all(re.match(r"^:?-{2,}:?$", c) for c in cells if c):
                    rows.append(cells)
                i += 1
            if rows:
                head = "".join(f"<th>{_inline_html(c)}</th>" for c in rows[0])
                body = "".join(
                    "<tr>" + "".join(f"<td>{_inline_html(c)}</td>" for c in r) + "</tr>" for r in rows[1:]
                )
                out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        elif line.startswith("```"):
            block = []
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                block.append(lines[i])
                i += 1
            i += 1
            out.append(f"<pre>{html.escape(chr(10).join(block))}</pre>")
        else:
            paragraph = []
            while (
                i < len(lines)
                and lines[i].strip()
                and not re.match(r"^(#{1,6}\s|\s*([-*+]|\d+[.)])\s|\||```)", lines[i])
            ):
                paragraph.append(lines[i].strip())
                i += 1
            out.append(f"<p>{_inline_html(' '.join(paragraph))}</p>")
    return "\n".join(out)


def markdown_to_lines(markdown: str) -> list[tuple[str, str]]:
    """(style, text) lines for the PNG: style is 'h1'..'h3', 'li' or 'p'."""
    out = []
    for raw in markdown.replace("\r\n", "\n").split("\n"):
        line = raw.rstrip()
        if line.strip().startswith("```") or re.match(r"^\s*\|?\s*:?-{2,}", line):
            continue
        text = _LINK.sub(r"\1", line)
        text = re.sub(r"`([^`]+)`", r"\1", text)
        text = re.sub(r"\*\*([^*]+)\*\*|__([^_]+)__", lambda m: m[1] or m[2], text)
        text = re.sub(r"(?<![*\w])\*([^*]+)\*|(?<![_\w])_([^_]+)_(?!\w)", lambda m: m[1] or m[2], text)
        if heading := re.match(r"^(#{1,6})\s+(.*)$", text):
            out.append((f"h{min(3, len(heading[1]))}", heading[2]))
        elif item := re.match(r"^\s*([-*+]|\d+[.)])\s+(.*)$", text):
            out.append(("li", ("\u2022 " if not item[1][0].isdigit() else item[1] + " ") + item[2]))
        elif text.lstrip().startswith("|"):
            out.append(("p", "  ".join(c.strip() for c in text.strip().strip("|").split("|"))))
        else:
            out.append(("p", text))
    return out
