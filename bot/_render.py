"""Turning content into chat text: topic summaries, full text ("tell me more") and source labels."""

from __future__ import annotations

from bot._fees import fee_table
from content import ActivityArea, Content

BULLET = "• "
SEP = " › "


def topic_title(content: Content, topic: str) -> str:
    """A short human title for a topic id (aims, convictions, fees, external_membership, area:N)."""
    if topic.startswith("area:"):
        area = content.area(int(topic.split(":")[1]))
        return area.title if area else topic
    offer = content.offer
    return {
        "aims": offer.aims.heading,
        "convictions": offer.convictions.heading,
        "fees": offer.funding.heading,
        "external_membership": offer.external_membership.heading,
    }.get(topic, topic)


def topic_summary(content: Content, topic: str) -> str:
    """The short summary shown before a question: headlines only, each copied from the content."""
    offer = content.offer
    if topic == "aims":
        bullets = "\n".join(BULLET + (a.tagline or a.text) for a in offer.aims.items)
        return _titled(offer.aims.heading, [offer.aims.statement, bullets])
    if topic == "convictions":
        return _titled(offer.convictions.heading, ["\n".join(BULLET + c.title for c in offer.convictions.items)])
    if topic == "fees":
        funding = offer.funding
        return _titled(funding.heading, [funding.paragraphs[2], funding.paragraphs[3], fee_table(content)])
    if topic == "external_membership":
        em = offer.external_membership
        return _titled(em.heading, [em.paragraphs[min(1, len(em.paragraphs) - 1)]])
    area = content.area(int(topic.split(":")[1]))
    assert area is not None  # topics are checked on load
    return _area_summary(area)


def topic_full(content: Content, topic: str) -> str:
    """The full text of a topic, every bullet included ("tell me more")."""
    offer = content.offer
    if topic == "aims":
        bullets = "\n".join(BULLET + a.text + (f" – {a.tagline}" if a.tagline else "") for a in offer.aims.items)
        return _titled(offer.aims.heading, [offer.aims.statement, bullets])
    if topic == "convictions":
        bullets = "\n".join(f"{BULLET}{c.title} – {c.text}" for c in offer.convictions.items)
        return _titled(offer.convictions.heading, [bullets])
    if topic == "fees":
        funding = offer.funding
        return _titled(funding.heading, [*funding.paragraphs[:4], fee_table(content), funding.paragraphs[4]])
    if topic == "external_membership":
        em = offer.external_membership
        return _titled(em.heading, list(em.paragraphs))
    area = content.area(int(topic.split(":")[1]))
    assert area is not None
    return area_full(area)


def area_heading(area: ActivityArea) -> str:
    """'2. SEND and inclusion'."""
    return f"{area.number}. {area.title}"


def _area_summary(area: ActivityArea) -> str:
    headings = [g.heading for g in area.groups if g.heading]
    if headings:
        shown = [BULLET + h for h in headings]
    else:
        bullets = [b for g in area.groups for b in g.bullets]
        shown = [BULLET + b for b in bullets[:3]]
        if len(bullets) > 3:
            shown.append(f"(+{len(bullets) - 3} more)")
    return _titled(area_heading(area), [area.strapline or "", "\n".join(shown)])


def area_full(area: ActivityArea) -> str:
    """Every heading, paragraph and bullet of one activity area."""
    blocks = [area.strapline] if area.strapline else []
    for group in area.groups:
        lines = [group.heading] if group.heading else []
        if group.text:
            lines.append(group.text)
        lines += [BULLET + b for b in group.bullets]
        blocks.append("\n".join(lines))
    blocks += area.notes
    return _titled(area_heading(area), blocks)


def _titled(title: str, blocks: list[str]) -> str:
    return "\n\n".join([title, *[b for b in blocks if b]])
