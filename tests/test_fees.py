"""The fee calculator: rates from the content, the working shown, the phrases people use."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from bench.bench_answers import has_all
from bot._answers import Answerer
from bot._ask import reply_record
from bot._fees import FeeRequest, fee_table, money, read_fee_request, read_fee_requests, subscription, working

# 160 fee questions written from the questionnaire's fee table before the parser was read (phone typing,
# typos, rolls written every way, two schools at once, years, postcodes, £ amounts and percentages as noise).
FEES_G = yaml.safe_load((Path(__file__).parent / "fixtures" / "eval" / "fees_g.yaml").read_text(encoding="utf-8"))
# fees_g questions the parser reads right but the answerer declines (a year other than the questionnaire's,
# "invoiced", "next year", a place name, "ring", "ext"): never a confident wrong fee, and at least this many exact.
FEES_G_EXACT_FLOOR = 145


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


@pytest.mark.parametrize(
    ("text", "requests"),
    [
        # year groups written Y7 / Yr 6, and Reception, give the phase
        ("Y7-Y11 only, 750 on roll, fee?", [("secondary", 750)]),
        ("yr 7 to 11, 900", [("secondary", 900)]),
        ("Reception to Y6, 1FE, 210 - how much", [("primary", 210)]),
        ("reception to yr 2, 180 children", [("primary", 180)]),
        ("per yr fee for primary 300", [("primary", 300)]),
        # a key-stage or year-group range ends at a one- or two-digit number: the roll after it is whole
        ("KS3, KS4 and KS5 - 1,380 students - our fee?", [("secondary", 1380)]),
        ("Years 7-11, 1,050 pupils", [("secondary", 1050)]),
        # thousands written with a space, when a unit follows
        ("Secondary with 1 050 pupils, how much", [("secondary", 1050)]),
        ("primary 3 210", [("primary", 210)]),
        # a roll the school would grow or fall to
        ("primary, currently 390 pupils, how much if we grew to 450?", [("primary", 390), ("primary", 450)]),
        ("if our primary grew from 420 to 630 what would we pay", [("primary", 630)]),
        ("primary roll of 420 rising to about 480", [("primary", 420), ("primary", 480)]),
        ("secondary drops from 1,100 to 1,000", [("secondary", 1000)]),
        # a total given for one school is its roll
        ("Secondary, 1,200 in 11-16 plus 300 sixth form = 1,500 total. Fee?", [("secondary", 1500)]),
        ("secondary 1,200 + 300 sixth form = 1,500", [("secondary", 1500)]),
        ("secondary 1,000 students total", [("secondary", 1000)]),
        ("primary NOR = 300, could grow to 450", [("primary", 300), ("primary", 450)]),
        # counts per class or year group, and the rates themselves, are not rolls
        ("our primary has 30 per class x 14 classes = 420 - fee?", [("primary", 420)]),
        ("ELP for primary 2FE (60 per year group) 420 total", [("primary", 420)]),
        ("primary, 2FE, 60 a year, 420 on roll", [("primary", 420)]),
        ("secondary 180 per year, 5 year groups, 900 total - fee", [("secondary", 900)]),
        ("primary 4,461 flat plus per pupil - what's the total for 420", [("primary", 420)]),
        ("£4,461 flat rate for a primary of 300", [("primary", 300)]),
        # one school named twice is one school
        ("SEN school / special - 120 kids - fee?", [("special", 120)]),
        ("special or SEMH school fee", [("special", None)]),
        # an all-through school whose phases are named separately is two schools
        ("all-through school: primary phase 420, secondary phase 1,100", [("primary", 420), ("secondary", 1100)]),
        ("all-through school with 1,800 pupils", [("secondary", 1800)]),
        # a roll written just before its type is that type's (found by an independent try-out)
        ("how much is ELP for a 420 primary and a 1000 secondary", [("primary", 420), ("secondary", 1000)]),
        ("420 pupil primary and 1000 pupil secondary", [("primary", 420), ("secondary", 1000)]),
        ("primary 420, secondary 1000", [("primary", 420), ("secondary", 1000)]),
        # a part of the roll is not another school
        ("2FE primary NOR 412, 60 in nursery", [("primary", 412)]),
        ("secondary with sixth form 1400 incl 200 in sixth form", [("secondary", 1400)]),
        ("secondary 1,150 of which 90 in the ARP", [("secondary", 1150)]),
        ("secondary with 1,100 pupils in years 7-11", [("secondary", 1100)]),
        ("primary, 420 in reception to year 6", [("primary", 420)]),
    ],
)
def test_read_fee_requests_new_rules(text: str, requests: list[tuple[str, int | None]]) -> None:
    assert read_fee_requests(text) == [FeeRequest(band, pupils) for band, pupils in requests]


def test_fees_g_parser_reads_every_fee(content) -> None:
    """Every fees_g question parsed to band and roll gives each expected fee."""
    misread = []
    for item in FEES_G:
        currency = content.offer.fees.currency
        fees = {
            money(subscription(content.fee_band(r.band), r.pupils), currency)
            for r in read_fee_requests(item["q"])
            if r.band and r.band not in {"pru", "none"}
        }
        if not has_all("\n".join(sorted(fees)), item["expect"]):
            misread.append((item["q"], item["expect"], sorted(fees)))
    assert misread == []


def test_fees_g_answers_are_exact_or_declined(content) -> None:
    """End to end: no confident wrong fee on fees_g, and every confident one exact."""
    answerer = Answerer(content)
    exact, wrong = 0, []
    for item in FEES_G:
        record = reply_record(content, answerer.find(item["q"]))
        shown = f"{record['answer']}\n{record.get('source') or ''}"
        ok = record["confident"] and has_all(shown, item["expect"])
        exact += ok
        if record["confident"] and not ok:
            wrong.append((item["q"], item["expect"], record["answer"]))
    assert wrong == []
    assert len(FEES_G) == 160 and exact >= FEES_G_EXACT_FLOOR


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


@pytest.mark.parametrize(
    ("question", "requests"),
    [
        ("2 primaries of 420", [FeeRequest("primary", 420, schools=2)]),
        ("both juniors, 240 each", [FeeRequest("primary", 240, schools=2)]),
        ("two primaries with 600 pupils between them", [FeeRequest("primary", 600, schools=2, shared=True)]),
        ("2 primaries, 210 and 420 pupils", [FeeRequest("primary", 210), FeeRequest("primary", 420)]),
        ("years 7-11 pru with 60 pupils", [FeeRequest("pru_secondary", 60)]),
        ("year 3 primary, 300 pupils", [FeeRequest("primary", 300)]),
        ("an academy trust with 5 primaries", [FeeRequest("primary", None, schools=5)]),
    ],
)
def test_how_many_schools_of_a_kind(question: str, requests: list[FeeRequest]) -> None:
    assert read_fee_requests(question) == requests
