"""Passages: every piece of content is searchable, built from the Content objects only."""

from __future__ import annotations

from bot._passages import build_passages, question_label


def test_every_item_question_section_and_topic_is_a_passage(content) -> None:
    keys = {p.key for p in build_passages(content)}
    assert {item.key for item in content.items} <= keys
    assert {f"question:{q.id}" for q in content.questions} <= keys
    assert {f"section:{s.id}" for s in content.consultation.sections} <= keys
    assert {"document", "dates", "fee-table", "sections", "topic:aims", "topic:area:7"} <= keys


def test_the_document_passage_has_title_version_and_status(content) -> None:
    document = next(p for p in build_passages(content) if p.key == "document")
    assert document.answer.splitlines() == [
        "Ealing Learning Partnership 2026 – 2029",
        "Consultation January to March 2025",
        "V170125",
        "DRAFT",
    ]


def test_question_passages_say_what_is_asked(content) -> None:
    passages = {p.key: p for p in build_passages(content)}
    assert passages["question:q3"].answer.startswith("Q3: Do you support the principle of retaining")
    assert "(Governors' support)" in passages["question:q5.9"].answer
    assert "Please add comments and any new proposals" in passages["question:q5"].answer
    assert question_label("q5.11") == "Q5.11"


def test_passages_follow_the_content(content) -> None:
    changed = content.offer.document.model_copy(update={"version": "V999999"})
    offer = content.offer.model_copy(update={"document": changed})
    edited = type(content)(offer, content.vision, content.consultation, content.messages, content.faq)
    assert "V999999" in next(p for p in build_passages(edited) if p.key == "document").answer
