"""``manage.py precheck``: the issue's JSON in, verdicts out in the same order; bad input exits 2
naming the profile's index and the field, and prints no verdict."""

from __future__ import annotations

import copy
import io
import json
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.rules import evaluate
from tests.conftest import ROOT, _worker_env, clocked_command

from .rules_support import D, campaign, education, promoted, specialty

pytestmark = pytest.mark.django_db

# Issue 3's input, verbatim except the ID number: 652801199001011234 fails the GB 11643 check
# digit; 652801199001011232 is the valid number with the same body.
ISSUE_SAMPLE = {
    "campaign": "bz-2024-zhijian", "specialty": "质量技术监督", "level": "中级", "kind": "评审",
    "id_number": "652801199001011232", "unit_nature": "事业单位", "county": "且末县",
    "grassroots_below_county": False, "special_service": [], "retired": False, "civil_servant": False,
    "aid_xinjiang": False, "education": [{"level": "本科", "full_time": True, "graduated": "2012-07-01",
                                          "south_xinjiang_graduate": False}],
    "professional_work_start": "2012-08-01",
    "current_title": {"level": "初级", "obtained": "2018-09-30"},
    "annual_evaluations": {"2021": "合格", "2022": "基本合格", "2023": "合格"},
    "ce_hours": {"2022": {"公需": 30, "专业": 60}}, "ce_exempt": False, "banned_until": None,
}
OUTPUT_KEYS = ["eligible", "reasons", "fee", "defense_exempt", "defense_exempt_reasons", "ce_required",
               "ce_missing", "materials", "earliest_year"]


def sample(**changes):
    item = copy.deepcopy(ISSUE_SAMPLE)
    item.update(changes)
    return item


def run(tmp_path, items, *args):
    path = tmp_path / "in.json"
    path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("precheck", str(path), *args, stdout=out)
    return json.loads(out.getvalue())


def refused(tmp_path, items) -> str:
    path = tmp_path / "in.json"
    path.write_text(items if isinstance(items, str) else json.dumps(items, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("precheck", str(path), stdout=out)
    assert error.value.returncode == 2
    assert out.getvalue() == ""  # no verdict at all when any profile is bad
    return str(error.value)


def test_issue_sample_round_trips(reference, tmp_path):
    (verdict,) = run(tmp_path, [ISSUE_SAMPLE])
    assert list(verdict) == OUTPUT_KEYS
    assert verdict["eligible"] is True and verdict["earliest_year"] == 2024
    assert verdict["fee"] == 380
    assert verdict["defense_exempt"] is True and "在且末县工作" in verdict["defense_exempt_reasons"][0]
    assert verdict["ce_required"] == {"公需": [2020, 2021, 2022, 2023, 2024], "专业": [2022, 2023, 2024]}
    assert verdict["ce_missing"] == {"公需": [2020, 2021, 2023, 2024], "专业": [2023, 2024]}
    assert any("共需5年" in r for r in verdict["reasons"])
    # The command's answer is the engine's answer for the same profile in enum values.
    direct = evaluate(campaign("bz-2024-zhijian"), specialty("bz-2024-zhijian"), "intermediate", "review",
                      promoted(D(2018, 9, 30), county="且末县", education=[education("bachelor", D(2012, 7, 1))],
                               evaluations={2021: "qualified", 2022: "basic", 2023: "qualified"},
                               ce_hours={2022: {"public": 30, "professional": 60}},
                               professional_work_start=D(2012, 8, 1)))
    assert verdict == direct.to_json()


def test_verdicts_come_back_in_input_order(reference, tmp_path):
    items = [
        sample(),
        sample(campaign="bz-2021-shihua", specialty="化工", unit_nature="民营企业", county="库尔勒市",
               current_title={"level": "初级", "obtained": "2016-09-30"}, annual_evaluations={}, ce_hours={"2020": {"公需": 30}, "2021": {"公需": 30, "专业": 60}}),
        sample(campaign="yq-2024-chuding", specialty="电力", level="初级", kind="初次确定", current_title=None,
               education=[{"level": "大专", "full_time": True, "graduated": "2022-07-01", "south_xinjiang_graduate": False}],
               professional_work_start="2022-08-01", annual_evaluations={}, ce_hours={}),
        sample(retired=True),
        sample(campaign="bz-2023-dangxiao", specialty="党干校教师系列", level="初级", current_title=None,
               annual_evaluations={}, special_service=["访惠聚"]),
        sample(unit_nature="自由职业", banned_until=2026),
    ]
    verdicts = run(tmp_path, items)
    assert len(verdicts) == 6
    assert [v["eligible"] for v in verdicts] == [True, True, True, False, True, False]
    # 004 private enterprise 中级: 公需 2020–2021 + 专业 2021, all done; no papers; no defense.
    assert verdicts[1]["ce_required"] == {"公需": [2020, 2021], "专业": [2021]}
    assert verdicts[1]["ce_missing"] == {"公需": [], "专业": []}
    assert verdicts[1]["defense_exempt"] is True
    codes = {m["code"] for m in verdicts[1]["materials"]}
    assert "representative_works" in codes and "paper_scan" not in codes
    # 002: 大专 2 years by 2024, no fee, CE for the two years of the period.
    assert verdicts[2]["fee"] is None and verdicts[2]["ce_required"] == {"公需": [2023, 2024], "专业": [2023, 2024]}
    assert verdicts[3]["earliest_year"] is None
    assert verdicts[4]["fee"] == 220 and verdicts[4]["defense_exempt"] is True
    # 003 freelancer with a ban to 2026: told when, and given the political form to fill.
    assert verdicts[5]["earliest_year"] == 2027
    assert "freelance_political" in {m["code"] for m in verdicts[5]["materials"]}


def test_optional_keys_beyond_the_issue_format(reference, tmp_path):
    (verdict,) = run(tmp_path, [sample(unit_banned_until=2025, title_in_xinjiang=False, previous_review=True,
                                       transferred_from_organ=True)])
    assert verdict["eligible"] is False and verdict["earliest_year"] == 2026
    codes = {m["code"] for m in verdict["materials"]}
    assert "transfer_docs" in codes


def test_reads_standard_input(reference, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps([ISSUE_SAMPLE], ensure_ascii=False)))
    out = io.StringIO()
    call_command("precheck", "-", stdout=out)
    assert json.loads(out.getvalue())[0]["fee"] == 380


def test_issue_samples_own_id_number_is_refused(reference, tmp_path):
    message = refused(tmp_path, [sample(id_number="652801199001011234")])
    assert "第1个档案（索引 0）字段 [0].id_number" in message
    assert "校验位不正确" in message


BAD = [
    ({"education": [{"level": "大学", "full_time": True, "graduated": "2012-07-01", "south_xinjiang_graduate": False}]},
     "education[0].level", "未知的学历“大学”"),
    ({"education": [{"level": "本科", "full_time": "是", "graduated": "2012-07-01", "south_xinjiang_graduate": False}]},
     "education[0].full_time", "应为 true 或 false"),
    ({"education": [{"level": "本科", "full_time": True, "graduated": "2012/7/1", "south_xinjiang_graduate": False}]},
     "education[0].graduated", "YYYY-MM-DD"),
    ({"education": [{"level": "本科", "full_time": True, "graduated": "2012-07-01"}]},
     "education[0].south_xinjiang_graduate", "缺少此字段"),
    ({"annual_evaluations": {"2022": "良好"}}, "annual_evaluations.2022", "未知的考核结果“良好”"),
    ({"annual_evaluations": {"22": "合格"}}, "annual_evaluations.22", "四位数字"),
    ({"ce_hours": {"2022": {"公共": 30}}}, "ce_hours.2022.公共", "未知的继续教育科目"),
    ({"ce_hours": {"2022": {"公需": -3}}}, "ce_hours.2022.公需", "非负整数"),
    ({"campaign": "bz-2099-none"}, "campaign", "没有代码为“bz-2099-none”"),
    ({"specialty": "建筑"}, "specialty", "不受理专业“建筑”"),
    ({"kind": "授予"}, "kind", "不受理申报类型“授予”"),
    ({"level": "高级"}, "level", "不受理级别“高级”"),
    ({"county": "乌鲁木齐市"}, "county", "未知的县（市）"),
    ({"unit_nature": "外企"}, "unit_nature", "未知的单位性质"),
    ({"special_service": "访惠聚"}, "special_service", "JSON 列表"),
    ({"special_service": ["支教"]}, "special_service[0]", "未知的服务类型"),
    ({"current_title": {"level": "初级"}}, "current_title.obtained", "缺少此字段"),
    ({"retired": 0}, "retired", "应为 true 或 false"),
    ({"banned_until": "soon"}, "banned_until", "YYYY-MM-DD"),
    ({"id_number": "65280119900101123"}, "id_number", "应为18位"),
    ({"ce_hour": {}}, "ce_hour", "未知字段"),
]


@pytest.mark.parametrize("change,field,message", BAD, ids=[b[1] for b in BAD])
def test_bad_field_exits_2_naming_index_and_field(reference, tmp_path, change, field, message):
    items = [sample(), sample(**change)]
    text = refused(tmp_path, items)
    assert f"第2个档案（索引 1）字段 [1].{field}：" in text
    assert message in text
    assert "索引 0" not in text


def test_a_missing_key_is_named(reference, tmp_path):
    item = sample()
    del item["ce_exempt"]
    assert "[0].ce_exempt：缺少此字段" in refused(tmp_path, [item])


def test_every_problem_of_every_profile_is_listed(reference, tmp_path):
    text = refused(tmp_path, [sample(county="外地", retired="no"), sample(), sample(level="正高级")])
    assert "[0].county" in text and "[0].retired" in text and "[2].level" in text
    assert text.count("第") >= 3


@pytest.mark.parametrize("content,message", [
    ("[{]", "不是合法的 JSON：第1行"),
    ('{"campaign": "bz-2024-zhijian"}', "应为 JSON 列表"),
    ("[1, 2]", "[0]"),
])
def test_malformed_files_exit_2(reference, tmp_path, content, message):
    assert message in refused(tmp_path, content)


def test_missing_file_exits_2(reference, tmp_path):
    with pytest.raises(CommandError) as error:
        call_command("precheck", str(tmp_path / "nope.json"))
    assert error.value.returncode == 2 and "无法读取输入文件" in str(error.value)


def test_query_count_does_not_grow_with_the_file(reference, tmp_path):
    def queries(n):
        items = [sample(county=["且末县", "库尔勒市"][i % 2]) for i in range(n)]
        items += [sample(campaign="bz-2021-shihua", specialty="电力") for _ in range(n)]
        with CaptureQueriesContext(connection) as captured:
            assert len(run(tmp_path, items)) == 2 * n
        return len(captured)

    assert queries(3) == queries(60)


@pytest.mark.django_db(transaction=True)
def test_the_real_process_exit_status(reference, tmp_path):
    """Run as HR offices will: a separate process on the (committed) test database."""
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps([ISSUE_SAMPLE], ensure_ascii=False), encoding="utf-8")
    bad.write_text(json.dumps([ISSUE_SAMPLE, sample(id_number="652801199001011234")], ensure_ascii=False),
                   encoding="utf-8")
    command = clocked_command("manage.py", "precheck")
    ok = subprocess.run([*command, str(good)], cwd=ROOT, env=_worker_env(), capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)[0]["fee"] == 380
    no = subprocess.run([*command, str(bad)], cwd=ROOT, env=_worker_env(), capture_output=True, text=True, timeout=120)
    assert no.returncode == 2
    assert no.stdout == ""
    assert "[1].id_number" in no.stderr and "校验位不正确" in no.stderr
