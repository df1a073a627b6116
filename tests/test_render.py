"""Rendering content as chat text: summaries are headlines, full text has every bullet."""

from __future__ import annotations

from bot._render import area_full, topic_full, topic_summary, topic_title


def test_area_summary_lists_headline_offers_and_full_text_every_bullet(content) -> None:
    for area in content.offer.activity_areas:
        topic = f"area:{area.number}"
        full = topic_full(content, topic)
        for group in area.groups:
            for bullet in group.bullets:
                assert bullet in full
            if group.heading:
                assert group.heading in topic_summary(content, topic)
        assert full == area_full(area)
        assert len(topic_summary(content, topic)) <= len(full)


def test_topic_titles(content) -> None:
    assert topic_title(content, "area:2") == "SEND and inclusion"
    assert topic_title(content, "fees") == "Ealing schools' membership"


def test_convictions_full_text_has_each_conviction(content) -> None:
    full = topic_full(content, "convictions")
    for conviction in content.offer.convictions.items:
        assert f"{conviction.title} – {conviction.text}" in full
