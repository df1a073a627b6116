"""Reading what people type: cleaning input, typed answers ("Yes, but…") and commands ("change 3")."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz.distance import DamerauLevenshtein

from content import Consultation

_SURROGATES = re.compile("[\ud800-\udfff]")
_SEPARATOR = re.compile(r"^[\s,.;:!\-–—)(/]+")
_MISSPELT_LEAD = re.compile(r"([^\W\d_]{5,})\s*[,;:\-–—]\s*(\w.*)", re.DOTALL)
_NUMBER = re.compile(r"[0-9]{1,3}")  # ASCII digits only: "²" and "①" are not option numbers


def clean(text: str | None) -> str:
    """Normalise text from any channel: NFC, no control characters or lone surrogates, trimmed.

    Newlines and tabs survive inside the text (comments may have paragraphs); other control
    characters are dropped. Format characters (RTL marks, emoji joiners) are kept: they carry meaning.
    """
    if not text:
        return ""
    text = _SURROGATES.sub("", text)
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def fold(text: str) -> str:
    """Case- and punctuation-insensitive form used for matching commands and labels."""
    text = text.casefold().replace("’", "'")
    text = re.sub(r"[^\w\s'.+?👍👎-]", " ", text)
    return re.sub(r"\s+", " ", text).strip(" .!")


@dataclass(frozen=True, slots=True)
class TypedChoice:
    """A choice read from typed text, with any comment that followed it."""

    code: str
    comment: str | None


class ChoiceReader:
    """Reads "y", "2", "not sure", "Yes, but the fees are too high" as a choice and optional comment.

    A message ending in "?" is a question, not an answer, unless it is only a choice word ("yes?").
    Longer words are tried first, so "no idea" is Not sure, not No. Built once per content load.
    """

    def __init__(self, consultation: Consultation):
        pairs = {fold(word): choice.code for choice in consultation.choices for word in choice.words}
        self.words = sorted(pairs.items(), key=lambda pair: -len(pair[0]))
        self.exact = dict(self.words)
        thanks = sorted({fold(w) for w in consultation.acknowledgements if fold(w)}, key=len, reverse=True)
        self._thanks = (
            re.compile(r"(?:(?:" + "|".join(re.escape(w) for w in thanks) + r")(?:\s+|$))+") if thanks else None
        )

    def acknowledges(self, text: str) -> bool:
        """ "no worries", "ok thanks", "sure, one sec": only words that acknowledge, and not one lone choice word
        ("ok" alone still means Yes)."""
        words = " ".join(re.sub(r"[^\w'\s]", " ", fold(text)).split())
        if self._thanks is None or not words or words in self.exact:
            return False
        return self._thanks.fullmatch(words + " ") is not None

    def lone(self, text: str) -> str | None:
        """The choice a message that is only a choice word gives ("ok", "mabye" → its code), else None."""
        typed = self.read(text)
        return typed.code if typed is not None and typed.comment is None else None

    def says_nothing(self, text: str) -> bool:
        """A bare number, an acknowledgement or a lone choice word ("5", "thanks", "ok"): typed where words are
        asked for (a comment, a proposal, a name), it is none of them."""
        return text.strip().isdigit() or self.acknowledges(text) or self.lone(text) is not None

    def read(self, text: str) -> TypedChoice | None:
        """The choice (and comment) this text gives, or None if it is not an answer."""
        whole = fold(text).rstrip("?").strip()
        if whole in self.exact and not _has_symbols(text):
            return TypedChoice(self.exact[whole], None)
        if text.rstrip().endswith("?"):
            return None
        return self.lead(text) or self.near(whole)

    def near(self, folded: str) -> TypedChoice | None:
        """A near spelling of one choice word ("yse", "partley", "mabye"): one typo, in a word of 3+ letters."""
        if len(folded) < 3 or not folded.isalpha():
            return None
        codes = {code for word, code in self.words if len(word) >= 3 and _one_typo(folded, word)}
        return TypedChoice(codes.pop(), None) if len(codes) == 1 else None

    def lead(self, text: str) -> TypedChoice | None:
        """The choice a message starts with, and the rest as its comment, even when the rest asks something.

        "No, what would we get for our money?" is No with that comment: at a choice question an answer
        comes first, and the question in it can be answered after.
        """
        lowered = text.casefold().replace("’", "'")
        for word, code in self.words:
            if not lowered.startswith(word):
                continue
            rest = text[len(word) :]
            if rest and (rest[0].isalnum() or rest[0] == "'"):
                continue  # "nobody", "yesterday", "2nd": not a choice word
            if len(word) == 1 and rest and not (rest[0].isspace() or rest[0] in ",.;:!-–—"):
                continue  # "n/a", "y'know": a letter that is not "y" or "n" on its own
            comment = _SEPARATOR.sub("", rest).strip()
            return TypedChoice(code, comment if _has_symbols(comment) or any(c.isalnum() for c in comment) else None)
        return self._misspelt_lead(text)

    def _misspelt_lead(self, text: str) -> TypedChoice | None:
        """ "Parlty - too many evening events": a choice word of 5+ letters with one typo (not a dropped
        letter), then a dash, comma or colon, and a comment."""
        match = _MISSPELT_LEAD.match(text)
        if match is None:
            return None
        typed = match.group(1).casefold()
        codes = {  # a letter swapped, changed or added, not dropped: "party" is not "partly"
            code
            for word, code in self.words
            if 5 <= len(word) <= len(typed) and word.isalpha() and _one_typo(typed, word)
        }
        return TypedChoice(codes.pop(), match.group(2).strip()) if len(codes) == 1 else None


def _has_symbols(text: str) -> bool:
    """Whether text holds symbols such as emoji ("Partly, 🎉🎉": the emoji are a comment, not punctuation)."""
    return any(unicodedata.category(ch).startswith("S") for ch in text)


def parse_choice(text: str, consultation: Consultation) -> TypedChoice | None:
    """One-off reading of a typed choice (the engine keeps a ChoiceReader instead)."""
    return ChoiceReader(consultation).read(text)


@dataclass(frozen=True, slots=True)
class Command:
    """A command typed at any point: its name and argument (a question or section id)."""

    name: str
    argument: str | None = None


_COMMAND_WORDS: dict[str, Sequence[str]] = {
    "help": ("help", "?", "commands", "what can i say", "what can i do", "options", "how does this work"),
    "menu": ("menu", "main menu", "home"),
    "start": (
        "start",
        "begin",
        "continue",
        "resume",
        "carry on",
        "start the consultation",
        "continue the consultation",
        "start consultation",
        "continue consultation",
        "restart",
        "start again",
    ),
    "hello": ("hi", "hello", "hey", "hiya", "good morning", "good afternoon", "good evening", "hi there"),
    "back": ("back", "go back", "previous", "prev", "undo", "previous question", "last question"),
    "skip": (
        "skip",
        "next",
        "pass",
        "skip this",
        "skip it",
        "skip this one",
        "skip for now",
        "skip question",
        "skip this question",
        "next question",
        "no comment",
    ),
    "review": (
        "review",
        "summary",
        "my answers",
        "show my answers",
        "answers",
        "check my answers",
        "view answers",
        "view my answers",
        "see my answers",
    ),
    "submit": ("submit", "send", "submit my response", "send my response", "finish"),
    "pause": (
        "pause",
        "stop",
        "later",
        "bye",
        "goodbye",
        "quit",
        "exit",
        "save",
        "save and exit",
        "i'll finish later",
        "finish later",
        "come back later",
    ),
    "sections": ("sections", "jump", "go to section", "list sections"),
    "ask": ("ask", "ask a question", "i have a question", "question"),
    "fee": ("fee", "fees", "our fee", "check our fee", "check my fee", "fee calculator", "subscription"),
    "erase": (
        "delete my data",
        "erase my data",
        "remove my data",
        "forget me",
        "delete everything",
        "delete all my data",
        "deletemydata",
        "delete me",
    ),
    "stats": ("stats", "statistics", "response stats"),
    "unanswered": ("unanswered", "unanswered questions"),
    "mydata": (
        "my data",
        "mydata",
        "show my data",
        "what do you store",
        "what data do you hold",
        "what do you know about me",
        "what do you hold about me",
    ),
    "change_any": ("change", "edit", "change an answer", "change my answer", "amend"),
}
COMMAND_NAMES = frozenset({*_COMMAND_WORDS, "change", "section"})  # every command parse_command can return
_LOOKUP = {fold(word): name for name, words in _COMMAND_WORDS.items() for word in words}
_CHANGE = re.compile(r"^(?:change|edit|amend|redo|go to|goto|back to)\s+(?:question\s*|q)?(\d{1,2}(?:\.\d{1,2})?)$")
_SECTION = re.compile(r"^(?:go to |goto |jump to )?section\s*(\d{1,2})$")
_CHANGE_TO = re.compile(  # "actually change q4 to yes - extra income is sensible": the question, then its answer
    r"^(?:actually,?\s+|please\s+|can you\s+|could you\s+)?(?:change|edit|amend|set|make)\s+(?:question\s*|q)?"
    r"(\d{1,2}(?:\.\d{1,2})?)\s+(?:to|into|as)\s+(\S.*)$",
    re.I | re.S,
)
_COMMENT_ON = re.compile(  # "add a comment to q1: the aims are too vague": a comment on a named question
    r"^(?:please\s+)?(?:(?:add|put|leave)\s+(?:a\s+|my\s+|this\s+)?comment\s+(?:to|on|for|against)|comment\s+(?:on|for)"
    r"|my\s+comment\s+(?:on|for))\s+(?:question\s*|q)(\d{1,2}(?:\.\d{1,2})?)\b\s*[:,\-–—]?\s*(.*)$",
    re.I | re.S,
)
_ASK = re.compile(r"^ask\s+(.+)$", re.S)


def parse_command(text: str) -> Command | None:
    """The command this whole message is, or None. Only exact phrases count, so a comment is never a command."""
    stripped = re.sub(r"^/(\w+)(@\w+)?", r"\1", text.strip())
    folded = fold(stripped)  # "/start@ElpBot" (Telegram groups) reads as "start"
    if folded in _LOOKUP:
        return Command(_LOOKUP[folded])
    if match := _CHANGE.match(folded):
        return Command("change", "q" + match.group(1))
    if match := _CHANGE_TO.match(stripped):
        return Command("change", f"q{match.group(1)} {match.group(2).strip()}")
    if match := _COMMENT_ON.match(stripped):
        return Command("comment_on", f"q{match.group(1)} {match.group(2).strip()}".strip())
    if match := _SECTION.match(folded):
        return Command("section", match.group(1))
    if match := _ASK.match(stripped):
        return Command("ask", match.group(1).strip())
    return None


def match_option(text: str, labels: Sequence[str]) -> int | None:
    """Index of the option typed by number ("2") or by label (exact, a clear prefix, or one typo), else None."""
    folded = fold(text)
    if _NUMBER.fullmatch(folded) and 1 <= int(folded) <= len(labels):
        return int(folded) - 1
    folded_labels = [fold(label) for label in labels]
    if folded in folded_labels:
        return folded_labels.index(folded)
    starts = options_starting(text, labels)
    if len(starts) == 1:
        return starts[0]
    near = [i for i, label in enumerate(folded_labels) if len(folded) >= 5 and _one_typo(folded, label)]
    return near[0] if len(near) == 1 and not starts else None


def options_starting(text: str, labels: Sequence[str]) -> list[int]:
    """Indexes of the labels that what was typed begins ("yes" begins both "Yes, named" and "Yes, anonymously")."""
    folded = fold(text)
    return [i for i, label in enumerate(labels) if len(folded) >= 3 and fold(label).startswith(folded)]


def _one_typo(typed: str, word: str) -> bool:
    """Whether two words differ by one edit (a letter added, dropped, changed, or two swapped)."""
    return DamerauLevenshtein.distance(typed, word, score_cutoff=1) <= 1


def parse_yes_no(text: str) -> bool | None:
    """Yes/no typed at a confirmation: True, False or None."""
    word = fold(text)
    if word in {"yes", "y", "yep", "yeah", "correct", "that's us", "thats us"}:
        return True
    if word in {"no", "n", "nope", "none", "none of these"}:
        return False
    return None
