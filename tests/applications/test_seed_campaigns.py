"""The five notices as campaigns: windows, fees and contacts must be the notice's own.

Expected values are transcribed from the notices (fixtures/notices/, copies of ../shared/seeds/); each contact and every window's day
numbers are also looked up in the notice text itself, so a typo on either side fails."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone

from applications.enums import Kind
from applications.models import Campaign
from applications.seeding import campaign_fixture, load_campaign

D = dt.date
SEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "notices"  # copies of ../shared/seeds

STD_FEES = {("intermediate", "review"): 380, ("junior", "review"): 220, ("junior", "initial"): 100,
            ("intermediate", "initial"): 380, ("intermediate", "award"): 380}

EXPECTED = {
    "bz-2023-jianzhu": {
        "seed": "000_644aaefd655d5b34.txt",
        "windows": {"online": (D(2023, 8, 15), D(2023, 9, 15)), "initial": (D(2023, 9, 16), D(2023, 9, 20)),
                    "paper": (D(2023, 9, 21), D(2023, 9, 25)), "fee": (D(2023, 9, 26), D(2023, 9, 28)),
                    "defense": (D(2023, 10, 20), D(2023, 10, 20))},
        "fees": STD_FEES,
        "contacts": [("张义刚", "18909961825")],
        "chain": ["unit", "county", "committee"], "person_ban": 3, "unit_ban": None,
    },
    "bz-2023-dangxiao": {
        "seed": "001_5051c4e8b02ad7aa.txt",
        "windows": {"online": (D(2023, 9, 15), D(2023, 10, 20)), "paper": (D(2023, 10, 21), D(2023, 10, 27)),
                    "fee": (D(2023, 9, 15), D(2023, 10, 20)), "defense": (D(2023, 10, 30), D(2023, 10, 30))},
        "fees": STD_FEES,
        "contacts": [("蔡宛峻", "2226930、17399157079")],
        "chain": ["unit", "county", "committee"], "person_ban": 3, "unit_ban": None,
    },
    "yq-2024-chuding": {
        "seed": "002_d134644847635b82.txt",
        "windows": {"online": (D(2024, 9, 25), D(2024, 10, 18)), "material_review": (D(2024, 10, 14), D(2024, 10, 22)),
                    "paper": (D(2024, 10, 22), D(2024, 11, 4))},
        "fees": {},
        "contacts": [("席婕", "0996-6022503")],
        "chain": ["unit", "county"], "person_ban": 3, "unit_ban": None,
    },
    "bz-2024-zhijian": {
        "seed": "003_1414cbde161d11cb.txt",
        # 三 "网上申报审核时间：8月19日至9月14日": one window to apply and to review.
        "windows": {"online": (D(2024, 8, 19), D(2024, 9, 14)), "material_review": (D(2024, 8, 19), D(2024, 9, 14)),
                    "paper": (D(2024, 9, 18), D(2024, 9, 25)),
                    "fee": (D(2024, 9, 25), D(2024, 9, 30)), "defense": (D(2024, 10, 8), D(2024, 10, 15))},
        "fees": STD_FEES,
        "contacts": [("拾方艳", "2260026"), ("官永强", "6882202")],
        "chain": ["unit", "county", "committee"], "person_ban": 5, "unit_ban": 3,
    },
    "bz-2021-shihua": {
        "seed": "004_0a5763cc64cb9d74.txt",
        "windows": {"online": (D(2021, 8, 25), D(2021, 9, 18)), "paper": (D(2021, 9, 18), D(2021, 9, 20)),
                    "fee": (D(2021, 9, 18), D(2021, 9, 20)), "defense": (D(2021, 9, 25), D(2021, 9, 27))},
        "fees": STD_FEES,
        "contacts": [("汪树府", "0996—5898195")],
        "chain": ["unit", "county", "committee"], "person_ban": 5, "unit_ban": 3,
    },
}
WINDOW_FIELDS = ("online", "initial", "material_review", "paper", "fee", "defense")


def notice_text(seed: str) -> str:
    return re.sub(r"\s+", "", (SEEDS / seed).read_text(encoding="utf-8"))


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_seed_campaign_windows_match_notice(reference, code):
    campaign = Campaign.objects.get(code=code)
    expected = EXPECTED[code]
    for name in WINDOW_FIELDS:
        got = (getattr(campaign, f"{name}_start"), getattr(campaign, f"{name}_end"))
        assert got == expected["windows"].get(name, (None, None)), name
    text = notice_text(expected["seed"])
    for start, end in expected["windows"].values():
        for day in (start, end):
            assert f"{day.month}月{day.day}日" in text, (code, day)


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_seed_campaign_fees_match_notice(reference, code):
    campaign = Campaign.objects.get(code=code)
    got = {(f.level.code, f.kind): f.amount for f in campaign.fees.select_related("level")}
    assert got == EXPECTED[code]["fees"]
    text = notice_text(EXPECTED[code]["seed"])
    for amount in set(got.values()):
        assert f"{amount}元" in text


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_seed_campaign_contacts_match_notice(reference, code):
    campaign = Campaign.objects.get(code=code)
    got = [(c.name, c.phone) for c in campaign.contacts.all()]
    assert got == EXPECTED[code]["contacts"]
    text = notice_text(EXPECTED[code]["seed"])
    for name, phone in got:
        assert name in text
        for number in re.split(r"、", phone):
            assert number in text


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_seed_campaign_chain_and_bans(reference, code):
    campaign = Campaign.objects.get(code=code)
    assert campaign.chain_steps == EXPECTED[code]["chain"]
    assert campaign.person_ban_years == EXPECTED[code]["person_ban"]
    assert campaign.unit_ban_years == EXPECTED[code]["unit_ban"]
    # 003 四（三）and 004 四 set no resubmission deadline (issue 15 item 4): no clock, never abandoned.
    hours = None if code in ("bz-2024-zhijian", "bz-2021-shihua") else 48
    assert (campaign.return_hours, campaign.max_submissions, campaign.publicity_working_days) == (hours, 3, 5)


def test_initial_determination_uses_its_own_window_in_000(reference):
    campaign = Campaign.objects.get(code="bz-2023-jianzhu")
    assert campaign.submission_window(Kind.INITIAL).start == D(2023, 9, 16)
    assert campaign.submission_window(Kind.REVIEW).end == D(2023, 9, 15)
    assert str(campaign.submission_window(Kind.REVIEW)) == "2023年8月15日—9月15日"


def test_demo_campaign_is_open_relative_to_load_day(reference):
    campaign = Campaign.objects.get(code="demo")
    assert campaign.is_open_for_applications()
    later = timezone.localdate() + dt.timedelta(days=400)
    moved = load_campaign(campaign_fixture("demo"), today=later)
    assert moved.online_start <= later <= moved.online_end
    assert moved.year == later.year
    assert moved.evaluation_years == [later.year - 3, later.year - 2, later.year - 1]


def test_seed_003_variants(reference):
    campaign = Campaign.objects.get(code="bz-2024-zhijian")
    assert campaign.summary_max_chars == 3000
    assert campaign.unit_opinion_text == "本单位已对提供的申报材料逐一审核，真实、完整、有效，同意推荐"
    assert campaign.evaluation_years == [2021, 2022, 2023]
    codes = set(campaign.materials.values_list("code", flat=True))
    assert {"freelance_political", "authenticity_pledge", "social_insurance"} <= codes


def test_officers_review_until_the_window_the_notice_names(reference):
    """003 三 "网上申报审核时间：8月19日至9月14日": no review until the day before paper delivery
    (9月17日); 002 reviews until 材料审核 ends (10月22日); 000 names none, so until 9月20日."""
    zhijian = Campaign.objects.get(code="bz-2024-zhijian")
    assert str(zhijian.review_window(Kind.REVIEW)) == "2024年8月19日—9月14日"
    assert zhijian.review_window(Kind.INITIAL).end == D(2024, 9, 14)
    assert "网上申报审核时间：8月19日至9月14日" in notice_text(EXPECTED["bz-2024-zhijian"]["seed"])
    assert Campaign.objects.get(code="yq-2024-chuding").review_window(Kind.INITIAL).end == D(2024, 10, 22)
    jianzhu = Campaign.objects.get(code="bz-2023-jianzhu")
    assert jianzhu.review_window(Kind.REVIEW).end == D(2023, 9, 20)


def test_002_paper_list_names_the_review_form_and_certified_copies(reference):
    """002 五（三）1 "打印《专业技术职务任职资格评审表》"; "上述材料申报材料为复印件的,需加盖及“与原件一致”
    以及单位公章"."""
    items = list(Campaign.objects.get(code="yq-2024-chuding").paper_items.values_list("name", flat=True))
    text = notice_text(EXPECTED["yq-2024-chuding"]["seed"])
    assert "打印《专业技术职务任职资格评审表》" in text and "呈报表" not in text
    assert items[0].startswith("《专业技术职务任职资格评审表》") and not any("呈报表" in i for i in items)
    copies = [i for i in items if "复印件" in i]
    assert len(copies) == 3 and all("“与原件一致”及单位公章" in i for i in copies)


def test_004_paper_list_is_the_review_form_only(reference):
    """004 七（二）: "下载打印职称评审表一式两份 … 提交评审表"; it asks for no roster and has the
    publicity and the competent unit's opinion uploaded (五（二）、五（三）), not delivered."""
    campaign = Campaign.objects.get(code="bz-2021-shihua")
    assert list(campaign.paper_items.values_list("name", flat=True)) == [
        "《专业技术职务任职资格评审表》（A4双面打印，一式两份，有水印）"]
    text = notice_text(EXPECTED["bz-2021-shihua"]["seed"])
    assert "下载打印职称评审表一式两份" in text and "花名册" not in text


def test_004_commitment_says_five_years(reference):
    """004 七（一）: "个人五年内不得申报相应职称评审" — not 000's "3年内"."""
    commitment = Campaign.objects.get(code="bz-2021-shihua").commitment_text
    assert "个人五年内不得申报相应职称评审" in commitment and "3年" not in commitment
    assert "个人五年内不得申报相应职称评审" in notice_text(EXPECTED["bz-2021-shihua"]["seed"])


@pytest.mark.parametrize("code", ["bz-2023-jianzhu", "bz-2023-dangxiao", "yq-2024-chuding", "bz-2024-zhijian"])
def test_commitment_sentence_is_the_notices_own(reference, code):
    """The sentence applicants write by hand: 000 五（一）14, 001 五（一）12, 002 五（一）9, 003 五（五);
    004 gives none (its sentence is built from 五（一）8 and 七（一）, see its register)."""
    sentence = Campaign.objects.get(code=code).commitment_text
    text = notice_text(EXPECTED[code]["seed"]).translate(str.maketrans({",": "，", ":": "："}))
    assert re.sub(r"\s+", "", sentence).rstrip("。") in text


def test_004_covers_its_four_specialties(reference):
    """004 二: 化学工程（含制药）…、油气钻井工程…、纺织…、发电、输电… — the 工程系列 specialties 化工（含制药）,
    石油, 纺织, 电力, and only those."""
    names = set(Campaign.objects.get(code="bz-2021-shihua").specialties.values_list("name", flat=True))
    assert names == {"化工（含制药）", "石油", "纺织", "电力"}
    text = notice_text(EXPECTED["bz-2021-shihua"]["seed"])
    assert all(words in text for words in ("化学工程（含制药）", "油气钻井工程", "纺织科技", "发电、输电、变电"))
