"""Answer quality over a labelled question set, and the rules that keep answers honest."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot._answers import Answerer, Normaliser

QUESTIONS = yaml.safe_load((Path(__file__).parent / "fixtures" / "questions.yaml").read_text(encoding="utf-8"))
TOP1_FLOOR = 0.95


@pytest.fixture(scope="module")
def answerer(content) -> Answerer:
    return Answerer(content)


def test_the_labelled_set_is_big_enough() -> None:
    assert len(QUESTIONS["in_scope"]) >= 150
    assert len(QUESTIONS["out_of_scope"]) >= 20


def test_top1_accuracy_floor(answerer: Answerer) -> None:
    wrong = []
    for question, expected in QUESTIONS["in_scope"]:
        reply = answerer.find(question)
        if not (reply.confident and reply.source and expected in reply.source):
            wrong.append((question, expected, reply.source, reply.why))
    accuracy = 1 - len(wrong) / len(QUESTIONS["in_scope"])
    assert accuracy >= TOP1_FLOOR, wrong


@pytest.mark.parametrize("question", QUESTIONS["out_of_scope"])
def test_every_out_of_scope_question_is_declined(answerer: Answerer, question: str) -> None:
    reply = answerer.find(question)
    assert not reply.confident, reply.why
    assert reply.answer == ""


def test_every_confident_answer_is_content_text(answerer: Answerer, content) -> None:
    """Never invent a figure or an offer: what is said is a content item, a topic summary or a computed fee."""
    texts = {item.text for item in content.items}
    for question, _ in QUESTIONS["in_scope"]:
        reply = answerer.find(question)
        if reply.kind == "content" and not reply.topic.startswith("area:"):
            assert reply.answer in texts, question
        if reply.kind == "faq" and reply.compute is None:
            for line in reply.answer.splitlines()[1:] if reply.answer.startswith("Yes") else []:
                assert line.removeprefix("• ") in texts


def test_answers_explain_themselves(answerer: Answerer) -> None:
    assert "FAQ 'send-governors'" in answerer.find("is there anything for SEND governors?").why
    assert "covered" in answerer.find("harmful sexual behaviours workshop").why
    assert "decline word 'weather'" in answerer.find("what's the weather").why


def test_fee_questions_go_to_the_calculator_but_funding_questions_do_not(answerer: Answerer) -> None:
    assert answerer.find("how much does a special school pay").compute == "fees"
    assert answerer.find("cost for 1,200 kids").compute == "fees"
    funding = answerer.find("what percentage does the council pay")
    assert funding.compute is None and "46%" in funding.answer


def test_not_sure_offers_up_to_three_topics(answerer: Answerer) -> None:
    reply = answerer.find("pupil premium strategy")
    assert not reply.confident
    assert 0 < len(reply.suggestions) <= 3


def test_synonyms_apply_to_phrases(content) -> None:
    words = Normaliser(content.faq.synonyms).words
    assert words("Designated Safeguarding Leads' CPD") == ["dsl", "training"]
    assert words("the SENCo's network") == ["sendco", "network"]
    assert words("how much do we pay?") == ["fee", "fee"]


def test_area_by_number(answerer: Answerer) -> None:
    reply = answerer.find("what's in area 7?")
    assert reply.confident and reply.topic == "area:7"
