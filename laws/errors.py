"""The one error type of the law language.

Law text comes from people and from an LLM, so every failure a user can cause (bad syntax, an unknown
name, a wrong type, a file that cannot be read) surfaces as a ``LawError`` that says where (file, line,
column), what was expected and how to fix it. Nothing else escapes ``laws.parse``/``laws.load``.
"""

from __future__ import annotations

from collections.abc import Iterable


class LawError(Exception):
    """A problem in law text, located so that a person or an LLM can repair it."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 column: int | None = None, expected: Iterable[str] = (), hint: str = "",
                 source_line: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.expected = tuple(sorted(set(expected)))
        self.hint = hint
        self.source_line = source_line

    @property
    def location(self) -> str:
        parts = [self.file or "<text>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def to_dict(self) -> dict[str, object]:
        """Plain data for ``--json`` output and LLM repair prompts."""
        return {"message": self.message, "file": self.file, "line": self.line, "column": self.column,
                "expected": list(self.expected), "hint": self.hint}

    def one_line(self) -> str:
        """The error on one line, for a CLI's stderr."""
        text = f"{self.location}: {self.message}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return text

    def __str__(self) -> str:
        lines = [f"{self.location}: {self.message}"]
        if self.source_line is not None and self.column is not None:
            start = max(0, self.column - 80)
            shown = self.source_line[start:start + 160]
            prefix = "..." if start else ""
            lines.append("    " + prefix + shown)
            lines.append("    " + " " * (len(prefix) + max(0, min(self.column - 1 - start, len(shown)))) + "^")
        if self.expected:
            shown_expected = ", ".join(self.expected[:12]) + (", ..." if len(self.expected) > 12 else "")
            lines.append(f"expected one of: {shown_expected}")
        if self.hint:
            lines.append(f"hint: {self.hint}")
        return "\n".join(lines)


def line_of(text: str, line: int | None) -> str | None:
    """The 1-based ``line`` of ``text`` (without its newline), or None when out of range."""
    if line is None or line < 1:
        return None
    start = 0
    for _ in range(line - 1):
        start = text.find("\n", start)
        if start < 0:
            return None
        start += 1
    end = text.find("\n", start)
    return text[start:] if end < 0 else text[start:end]
