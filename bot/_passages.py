"""Every piece of content as a searchable passage: what is shown, where it comes from, and what it is about.

Passages are built only from the loaded Content, never written here: each item (bullet, paragraph,
outcome, pledge, aim, conviction, funding paragraph, contact), each topic's summary, the fee table,
the document itself (title, period, version, draft status), the sections, and each questionnaire
question with what it asks. `about` is extra searchable text (titles, headings, the question's
label) that is not shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot._fees import fee_table
from bot._render import topic_full, topic_summary, topic_title
from content import Content, Item, passage_topics


@dataclass(frozen=True, slots=True)
class Passage:
    """A searchable unit of content and the answer it gives."""

    key: str
    answer: str
    source: str
    topic: str | None
    about: str  # searchable, not shown: title, headings, labels
    kind: str  # item | topic | fees | document | section | question | dates
    # topic and section passages are found by their titles only: their items are passages of their own


def question_label(question_id: str) -> str:
    """'q5.4' → 'Q5.4', as the chat labels questions."""
    return "Q" + question_id[1:]


def item_answer(content: Content, item: Item) -> str:
    """An item as an answer: the funding paragraph that ends "…set as follows:" comes with the fee table it
    introduces, so it never ends on a colon."""
    if item.key.startswith("funding:") and item.text.rstrip().endswith("as follows:"):
        return item.text + "\n" + fee_table(content)
    return item.text


def build_passages(content: Content) -> list[Passage]:
    """All passages, in document order."""
    out: list[Passage] = []
    offer = content.offer
    document = offer.document
    out.append(
        Passage(
            "document",
            "\n".join([document.title, document.consultation_period, document.version, document.status]),
            document.title,
            None,
            f"{document.partnership} questionnaire document title version status",
            "document",
        )
    )
    out.append(
        Passage(
            "dates",
            content.say(
                "dates_answer",
                opens=f"{content.consultation.opens.day} {content.consultation.opens:%B %Y}",
                closes=f"{content.consultation.closes.day} {content.consultation.closes:%B %Y}",
                minutes=content.consultation.estimated_minutes,
                questions=len(content.questions),
            )
            + "\n"
            + content.say("dates_document", period=document.consultation_period),
            content.consultation.title,
            "dates",
            "closes opens dates minutes how long",
            "dates",
        )
    )
    for item in content.items:
        out.append(Passage(item.key, item_answer(content, item), item.source, item.topic, item.title, "item"))
    out.append(
        Passage(
            "fee-table",
            content.say("fee_table_intro") + "\n" + fee_table(content),
            offer.funding.heading,
            "fees",
            " ".join([*offer.fees.columns, *(b.name for b in offer.fees.bands)]),
            "fees",
        )
    )
    for topic in passage_topics(content):
        heading = topic_title(content, topic)
        extra = {"area": "activity area", "priority": "priority outcomes", "pledges": "manifesto pledges"}.get(
            topic.partition(":")[0], ""
        )
        if topic.startswith("area:"):
            area = content.area(int(topic.split(":")[1]))
            extra += " " + " ".join(g.heading or "" for g in area.groups) if area else ""
        out.append(Passage(f"topic:{topic}", topic_full(content, topic), heading, topic, f"{heading} {extra}", "topic"))
    sections = content.consultation.sections
    listing = "\n".join(content.say("section_label", number=n, title=s.title) for n, s in enumerate(sections, 1))
    out.append(Passage("sections", listing, content.consultation.title, None, "section", "section"))
    for n, section in enumerate(sections, 1):
        label = content.say("section_label", number=n, title=section.title)
        questions = "; ".join(f"{question_label(q.id)} {q.short}" for q in section.questions)
        out.append(Passage(f"section:{section.id}", f"{label}\n{questions}", label, None, f"section {n}", "section"))
        for question in section.questions:
            label = question_label(question.id)
            text = question.text
            if question.id.startswith("q5.") and question.id != "q5.11":
                text = f"{question.text} ({question.short})"
            answer = content.say("question_passage", label=label, text=text)
            if question.topic.startswith("area:") and question.id != "q5.11":
                answer += "\n\n" + topic_summary(content, question.topic)
            about = f"question {question.id[1:]} {label} {question.short} {section.title}"
            out.append(Passage(f"question:{question.id}", answer, label, question.topic, about, "question"))
    core = offer.core_activity
    first_area_question = next(q for q in content.questions if q.topic.startswith("area:"))
    out.append(
        Passage(
            "question:q5",
            content.say("question_passage", label="Q5", text=first_area_question.text) + "\n" + core.instruction,
            core.heading,
            "areas",
            f"question 5 Q5 {core.heading}",
            "question",
        )
    )
    return out
