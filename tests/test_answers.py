"""Answering questions from the content: exact text, a source, and no guessing."""

from __future__ import annotations

import pytest

from bot._answers import Answerer


@pytest.fixture(scope="module")
def answerer(content) -> Answerer:
    return Answerer(content)


@pytest.mark.parametrize(
    ("question", "source_starts"),
    [
        ("is there anything for SEND governors?", "SEND and inclusion › Guidance for leaders and governors"),
        ("What is EGFL?", "Business support, Ealing Grid for Learning, EEC premises › EGFL"),
        ("do you run a careers fair", "Progression and pathways"),
        ("safegaurding training for DSLs", "Safeguarding and wellbeing › Training and development"),
        ("what's your email address", "Contact"),
    ],
)
def test_confident_answers_quote_the_content(answerer: Answerer, content, question: str, source_starts: str) -> None:
    found = answerer.find(question)
    assert found.confident, (question, found)
    assert found.entry.source.startswith(source_starts)


@pytest.mark.parametrize("question", ["what's the weather in ealing tomorrow", "asdkjh qwe zzx", "who won the cup"])
def test_out_of_scope_is_not_answered(answerer: Answerer, question: str) -> None:
    assert not answerer.find(question).confident


def test_every_answer_is_text_from_the_content(answerer: Answerer) -> None:
    for entry in answerer.entries:
        assert entry.answer.strip() and entry.source.strip()
