"""Making text safe to write out: characters XML 1.0 forbids, and cells a spreadsheet would run as formulas."""

from __future__ import annotations

import re

# XML 1.0 allows tab, newline, CR, U+0020–U+D7FF, U+E000–U+FFFD and U+10000–U+10FFFF; anything else
# (other control characters, U+FFFE, U+FFFF, lone surrogates) makes the file unreadable.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
REPLACEMENT = "\ufffd"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_LINE_BREAKS = re.compile("\r\n|[\r\n\v\f\x85\u2028\u2029]")
# C0 and C1 controls (ESC starts a terminal escape sequence), and the bidi overrides that reorder a line.
_TERMINAL_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def xml_safe(text: str) -> str:
    """The text with every character XML 1.0 forbids replaced by U+FFFD (the replacement character)."""
    return _NOT_XML.sub(REPLACEMENT, text)


def clean(value: object) -> object:
    """`xml_safe` for strings; other values unchanged."""
    return xml_safe(value) if isinstance(value, str) else value


def looks_like_formula(value: object) -> bool:
    """True for text a spreadsheet would evaluate (=, +, -, @, tab or CR at the start)."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_cell(value: object) -> object:
    """A value for a CSV cell: XML-safe, and formula-like text prefixed with an apostrophe (CSV has no types)."""
    value = clean(value)
    return "'" + value if looks_like_formula(value) else value  # type: ignore[operator]


def one_line(value: object) -> str:
    """Text typed by someone else, for one line of a terminal table: line breaks shown as " ⏎ ",
    tabs as spaces, and control characters (terminal escape sequences, bidi overrides) removed."""
    text = _LINE_BREAKS.sub(" ⏎ ", "" if value is None else str(value)).replace("\t", " ")
    return _TERMINAL_UNSAFE.sub("", text)
