"""The fee calculator: rates from the content, the working shown, the phrases people use."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot._fees import FeeRequest, fee_table, money, read_fee_request, read_fee_requests, subscription, working


@pytest.mark.parametrize(
    ("band", "pupils", "shown"),
    [
        ("primary", 420, "Primary, 420 pupils: £4,461 + 420 × £5.77 = £6,884.40"),
        ("secondary", 1200, "Secondary, 1,200 pupils: £6,762 + 1,200 × £5.77 = £13,686"),
        ("secondary", 900, "Secondary, 900 pupils: £6,762 + 900 × £5.77 = £11,955"),
        ("special", None, "Special: a flat rate of £4,681 (no per-pupil part)"),
        ("pru_primary", None, "PRU primary: a flat rate of £2,060 (no per-pupil part)"),
        ("pru_secondary", 80, "PRU secondary: a flat rate of £4,161 (no per-pupil part)"),
    ],
)
def test_working(content, band: str, pupils: int | None, shown: str) -> None:
    assert working(content, content.fee_band(band), pupils) == shown


def test_subscription_is_exact_decimal(content) -> None:
    assert subscription(content.fee_band("primary"), 420) == Decimal("6884.40")
    assert money(Decimal("6884.4"), "£") == "£6,884.40" and money(Decimal("4461"), "£") == "£4,461"


def test_rates_come_from_the_content(content) -> None:
    cheaper = content.offer.fees.bands[0].model_copy(update={"flat_rate": "1,000", "per_pupil_rate": "1.50"})
    assert working(content, cheaper, 100) == "Primary, 100 pupils: £1,000 + 100 × £1.50 = £1,150"


@pytest.mark.parametrize(
    ("text", "request_"),
    [
        ("420 pupils", FeeRequest(None, 420)),
        ("we have 1,200 kids", FeeRequest(None, 1200)),
        ("what does a secondary of 900 pay?", FeeRequest("secondary", 900)),
        ("how much for our PRU", FeeRequest("pru", None)),
        ("fee for a secondary PRU", FeeRequest("pru_secondary", None)),
        ("special school fee", FeeRequest("special", None)),
        ("primary school with 315 children", FeeRequest("primary", 315)),
        ("what's the fee for 2026", FeeRequest(None, None)),
        ("fees for an infant school, 270 on roll", FeeRequest("primary", 270)),
        ("fees are too high", FeeRequest(None, None)),
        ("high fees for 400 pupils", FeeRequest(None, 400)),
        ("our high needs pupils", FeeRequest(None, None)),
        ("a high school of 900", FeeRequest("secondary", 900)),
        ("our PRU takes high school pupils", FeeRequest("pru_secondary", None)),
    ],
)
def test_read_fee_request(text: str, request_: FeeRequest) -> None:
    assert read_fee_request(text) == request_


@pytest.mark.parametrize(
    ("text", "requests"),
    [
        ("business manager here - 2FE primary, 3-11, NOR 412, what do we pay?", [("primary", 412)]),
        ("Business manager, secondary (Y7-Y13), NOR 1,211. Calculate our subscription", [("secondary", 1211)]),
        ("secondry with 1100 studnets", [("secondary", 1100)]),
        ("our academy (11-18) has 1,350 on roll", [("secondary", 1350)]),
        ("primary academy 400", [("primary", 400)]),
        ("junoir school 240", [("primary", 240)]),
        ("all-through school, 1800 pupils", [("secondary", 1800)]),
        ("PRU KS3-4, 45 pupils", [("pru_secondary", 45)]),
        ("years 7-11 pru with 60 pupils", [("pru_secondary", 60)]),
        ("how much for our AP", [("pru", None)]),
        ("SEMH school fee", [("special", None)]),
        ("Reception to Year 6, 420 pupils - fee?", [("primary", 420)]),
        ("Nursery and primary school 3-11 with 450 pupils", [("primary", 450)]),
        ("fee for a sixth form college with 1,800 students", [("none", 1800)]),
        ("how much for a primary with 200 and a secondary with 900 pupils", [("primary", 200), ("secondary", 900)]),
        ("fees for our infant (180) and junior (240)", [("primary", 180), ("primary", 240)]),
        ("fee for 3 primaries of 210, 420 and 630", [("primary", 210), ("primary", 420), ("primary", 630)]),
        ("we run 2 primary schools, 300 and 450 pupils", [("primary", 300), ("primary", 450)]),
        ("special school fee and post 16 at level 2", [("special", None)]),
        ("our budget is £2.3m, whats the fee for a 400 pupil primary (0.3%)", [("primary", 400)]),
    ],
)
def test_read_fee_requests_from_any_phrasing(text: str, requests: list[tuple[str, int | None]]) -> None:
    assert read_fee_requests(text) == [FeeRequest(band, pupils) for band, pupils in requests]


def test_the_engine_never_gets_a_band_that_does_not_exist() -> None:
    assert read_fee_request("nursery school fee") == FeeRequest(None, None)


def test_fee_table_lists_every_band(content) -> None:
    table = fee_table(content)
    assert table.splitlines() == [
        "Primary: £4,461 flat rate + £5.77 per pupil",
        "Secondary: £6,762 flat rate + £5.77 per pupil",
        "Special: £4,681 flat rate (no per-pupil rate)",
        "PRU primary: £2,060 flat rate (no per-pupil rate)",
        "PRU secondary: £4,161 flat rate (no per-pupil rate)",
    ]
