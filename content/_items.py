"""Every atomic fact in the content store as an item with its source: what answers quote and cite."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from content import Content

SEP = " › "


@dataclass(frozen=True, slots=True)
class Item:
    """One quotable piece of content: its text exactly as in the source, where it is, and its topic."""

    key: str
    source: str
    title: str
    text: str
    topic: str


def content_items(content: Content) -> list[Item]:
    """All items, in document order: aims, convictions, funding, external membership, areas, vision, contact."""
    offer, vision = content.offer, content.vision
    out: list[Item] = []

    def add(key: str, source: str, title: str, text: str, topic: str) -> None:
        out.append(Item(key, source, title, text, topic))

    aims = offer.aims
    add("aims", aims.heading, aims.heading, aims.statement, "aims")
    for aim in aims.items:
        add(
            f"aims:{aim.id}",
            aims.heading,
            aims.heading,
            aim.text + (f" – {aim.tagline}" if aim.tagline else ""),
            "aims",
        )
    for conviction in offer.convictions.items:
        add(
            f"convictions:{conviction.id}",
            offer.convictions.heading + SEP + conviction.title,
            conviction.title,
            f"{conviction.title} – {conviction.text}",
            "convictions",
        )
    funding = offer.funding
    for n, paragraph in enumerate(funding.paragraphs):
        add(f"funding:{n}", funding.heading, funding.heading, paragraph, "fees")
    external = offer.external_membership
    for n, paragraph in enumerate(external.paragraphs):
        add(f"external:{n}", external.heading, external.heading, paragraph, "external_membership")
    core = offer.core_activity
    add("core_activity", core.heading, core.heading, core.intro, "areas")
    for area in offer.activity_areas:
        topic = f"area:{area.number}"
        if area.strapline:
            add(f"{topic}:strapline", area.title, area.title, area.strapline, topic)
        for g, group in enumerate(area.groups):
            source = area.title + (SEP + group.heading if group.heading else "")
            title = group.heading or area.title
            if group.heading and not group.bullets and not group.text:
                add(f"{topic}:{g}", source, title, group.heading, topic)
            if group.text:
                add(f"{topic}:{g}:text", source, title, group.text, topic)
            for b, bullet in enumerate(group.bullets):
                add(f"{topic}:{g}:{b}", source, title, bullet, topic)
        for n, note in enumerate(area.notes):
            add(f"{topic}:note:{n}", area.title, area.title, note, topic)
    # The vision's three frames (manifesto pledges, ELP's own theme, the combined goals), each with its years.
    frame_topics = [f"pledges:{vision.pledge_themes[0].id}", "aims", f"priority:{vision.priorities[0].id}"]
    for n, frame in enumerate(vision.frames):
        add(f"frames:{n}", vision.title, frame.heading, f"{frame.heading}: {frame.themes}", frame_topics[min(n, 2)])
    for theme in vision.pledge_themes:
        source = f"{vision.frames[0].heading}{SEP}{theme.title}"
        topic = f"pledges:{theme.id}"
        add(topic, source, theme.title, f"{theme.title} – {theme.summary}", topic)
        for n, pledge in enumerate(theme.pledges):
            add(f"{topic}:{n}", source, theme.title, pledge, topic)
    for priority in vision.priorities:
        source = f"{vision.title}{SEP}{priority.title}"
        topic = f"priority:{priority.id}"
        add(topic, source, priority.title, f"{priority.title}: {priority.aim}", topic)
        for n, outcome in enumerate(priority.outcomes):
            add(f"{topic}:{n}", source, priority.title, outcome, topic)
    contact = offer.contact
    add(
        "contact",
        "Contact",
        "Contact",
        "\n".join([contact.organisation, *contact.address, contact.email, contact.website]),
        "contact",
    )
    return out


def find_item(items: list[Item], quote: str) -> list[Item]:
    """Items whose text contains `quote` exactly (FAQ entries quote content this way)."""
    return [item for item in items if quote in item.text]
