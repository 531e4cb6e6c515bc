"""Enough of the AWS IoT rules SQL to refuse what AWS refuses and to know a rule's topic filter.

A statement is ``SELECT <list> FROM '<topic filter>' [WHERE <condition>]``: the keywords in any
case, the topic filter a quoted MQTT filter (``+`` a whole level, ``#`` the last level only). The
select list and the condition are checked for balanced quotes and parentheses, not evaluated:
the fake routes no messages through rules (yet). Anything else is a SqlParseException.
"""

from __future__ import annotations

import re

KEYWORD = re.compile(r"\b(SELECT|FROM|WHERE)\b", re.IGNORECASE)


class SqlError(ValueError):
    """The statement does not parse; the message says where."""


def topic_of(sql: str) -> str:
    """The topic filter of a rule's statement (its ``topicPattern``)."""
    text = sql.strip()
    keywords = _top_level_keywords(text)
    names = [name for name, _ in keywords]
    if not names or names[0] != "SELECT" or keywords[0][1] != 0:
        raise SqlError(f"Expected SELECT at the start of the statement: {sql}")
    if "FROM" not in names:
        raise SqlError(f"Expected a FROM clause naming a topic: {sql}")
    if names.count("SELECT") > 1 or names.count("FROM") > 1 or names.count("WHERE") > 1:
        raise SqlError(f"Only one SELECT, FROM and WHERE clause is allowed: {sql}")
    if "WHERE" in names and names.index("WHERE") < names.index("FROM"):
        raise SqlError(f"WHERE must follow the FROM clause: {sql}")
    select_end = keywords[names.index("FROM")][1]
    if not text[len("SELECT") : select_end].strip():
        raise SqlError(f"SELECT names nothing to select: {sql}")
    from_start = select_end + len("FROM")
    where_at = keywords[names.index("WHERE")][1] if "WHERE" in names else len(text)
    source = text[from_start:where_at].strip()
    if "WHERE" in names and not text[where_at + len("WHERE") :].strip():
        raise SqlError(f"WHERE has no condition: {sql}")
    match = re.fullmatch(r"'([^']*)'(\s+(AS\s+)?\w+)?", source, re.IGNORECASE)
    if match is None:
        raise SqlError(f"FROM must name a topic in single quotes: {sql}")
    topic = match.group(1)
    _check_filter(topic, sql)
    return topic


def _top_level_keywords(text: str) -> list[tuple[str, int]]:
    """SELECT/FROM/WHERE outside quotes and parentheses, with their offsets."""
    found: list[tuple[str, int]] = []
    depth, quote, index = 0, "", 0
    while index < len(text):
        char = text[index]
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"`":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                raise SqlError(f"Unbalanced ')' at offset {index}: {text}")
        elif depth == 0 and (index == 0 or not (text[index - 1].isalnum() or text[index - 1] == "_")):
            match = KEYWORD.match(text, index)
            if match:
                found.append((match.group(1).upper(), index))
                index = match.end()
                continue
        index += 1
    if quote:
        raise SqlError(f"Unterminated {quote} quote: {text}")
    if depth:
        raise SqlError(f"Unbalanced '(': {text}")
    return found


def _check_filter(topic: str, sql: str) -> None:
    if not topic:
        raise SqlError(f"The topic in FROM is empty: {sql}")
    levels = topic.split("/")
    for position, level in enumerate(levels):
        if "#" in level and (level != "#" or position != len(levels) - 1):
            raise SqlError(f"'#' must be a whole topic level and the last one: {topic}")
        if "+" in level and level != "+":
            raise SqlError(f"'+' must be a whole topic level: {topic}")
