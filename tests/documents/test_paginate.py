"""Rosters paginated ahead of layout: the plan must be exactly what WeasyPrint lays out, a long
roster is rendered in two parts and joined with continuous page numbers, and a wrong plan falls
back to WeasyPrint's own pagination instead of printing a wrong document."""

from __future__ import annotations

import random
import re

import pytest

from applications.snapshot import ROSTER_COLUMNS
from review.documents import export_files
from review.documents.engine import body_font_path, engine
from review.documents.export_files import ROSTER_PDF_WIDTHS_MM, render_roster_pdf
from review.documents.paginate import ListingGeometry, TextMeasure, break_units, line_count, paginate

from .conftest import A4_LANDSCAPE, page_sizes, page_texts, squeeze

UNITS = ["巴州建筑设计研究院", "库尔勒华源建筑工程有限公司", "若羌县瓦石峡镇农业技术推广站",
         "巴音郭楞蒙古自治州水利水电勘测设计研究院有限责任公司（库尔勒经济技术开发区分公司）", "X"]
NAMES = ["王喆", "古丽娜尔·艾买提", "李明", "买买提·吐尔逊", "𠮷田", "努尔艾力·买买提明"]
SCHOOLS = ["2012年7月 新疆大学 土木工程专业", "2009年6月 中国石油大学（华东） 石油工程专业",
           "2015年7月 University of Xinjiang Civil-Engineering-and-Architecture 专业", "无"]


def roster_rows(count: int, seed: int = 3) -> list[list]:
    rng = random.Random(seed)
    return [[n, rng.choice(UNITS), rng.choice(["事业单位", "民营企业"]), rng.choice(NAMES), "男",
             rng.choice(["汉族", "维吾尔族", "蒙古族"]), "1988.03", "本科", rng.choice(SCHOOLS), rng.randint(1, 30),
             rng.choice(["助理工程师", "无"]), rng.choice(["2018.09", "无"]), "工程师", "是",
             rng.choice(["", "初次确定", "授予；待评委会形式审核"])] for n in range(1, count + 1)]


def data_for(rows, note="注：此表由主管单位负责汇总并统一报送。"):
    return {"columns": ROSTER_COLUMNS, "rows": rows, "title": "2026年度申报人员花名册", "scope_name": "测试单位",
            "scope_line": "推荐单位", "generated_on": "2026-11-22", "note": note}


def test_break_units_follow_chinese_line_breaking():
    assert break_units("新疆大学") == ["新", "疆", "大", "学"]
    # Closing punctuation never starts a line, opening punctuation never ends one.
    assert break_units("大学（华东）专业，好") == ["大", "学", "（华", "东）", "专", "业，", "好"]
    # Latin words and numbers break only at spaces.
    assert break_units("ISSN 1000-0000年") == ["ISSN", " ", "1000-0000", "年"]


def test_line_count_from_glyph_advances():
    measure = TextMeasure(body_font_path())
    assert line_count("新疆大学", 4 * 8.0, 8.0, measure) == 1  # four 1-em glyphs in four ems
    assert line_count("新疆大学土木", 4 * 8.0, 8.0, measure) == 2
    assert line_count("Engineering", 20.0, 8.0, measure) == 1  # an unbreakable word overflows, one line


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_plan_predicts_every_page_weasyprint_lays_out(seed):
    rows = roster_rows(120, seed)
    plan = paginate(rows, ROSTER_COLUMNS, ListingGeometry(tuple(ROSTER_PDF_WIDTHS_MM)),
                    TextMeasure(body_font_path()), with_note=True)
    pages = [rows[a:b] for a, b in plan]
    assert [r for page in pages for r in page] == rows
    html = export_files._roster_html(data_for(rows), pages, first_page=1, total_pages=len(pages))
    rendered = engine().render(html)
    assert rendered.pages == len(pages)
    # Nothing wasted: every page but the last is filled to within two rows of the natural layout.
    natural = engine().render(export_files._roster_html(data_for(rows), [rows]))
    assert natural.pages <= rendered.pages <= natural.pages + 1


def test_long_roster_is_rendered_in_parts_with_continuous_page_numbers():
    rows = roster_rows(export_files.PARALLEL_MIN_ROWS + 60)
    for row in rows:
        row[14] = f"R{row[0]:04d}"  # a marker per row in 备注
    pdf = render_roster_pdf(data_for(rows))
    texts = [squeeze(t) for t in page_texts(pdf.content)]
    assert len(texts) == pdf.pages > 2
    assert set(page_sizes(pdf.content)) == {A4_LANDSCAPE}
    for number, text in enumerate(texts, start=1):
        assert f"第{number}页/共{pdf.pages}页" in text
        assert "何时、何校何专业毕业" in text  # the header row on every page
    # The title block (with its 制表日期 line) once, on the first page; the running header on all.
    assert [("制表日期" in t) for t in texts] == [True] + [False] * (len(texts) - 1)
    assert "此表由主管单位负责汇总并统一报送" in texts[-1] and all("汇总并统一报送" not in t for t in texts[:-1])
    # Every row exactly once, in order, across the join.
    markers = [int(m) for t in texts for m in re.findall(r"R(\d{4})", t)]
    assert markers == list(range(1, len(rows) + 1))
    assert render_roster_pdf(data_for(rows)).content == pdf.content  # deterministic across runs


def test_a_wrong_plan_falls_back_to_weasyprints_own_pagination(monkeypatch, caplog):
    rows = roster_rows(90)

    def too_optimistic(rows, *args, **kwargs):
        return [(0, 60), (60, len(rows))]  # 60 rows never fit one landscape page

    monkeypatch.setattr(export_files, "paginate", too_optimistic)
    pdf = render_roster_pdf(data_for(rows))
    natural = engine().render(export_files._roster_html(data_for(rows), [rows]))
    assert pdf.pages == natural.pages
    texts = [squeeze(t) for t in page_texts(pdf.content)]
    assert all(f"第{n}页/共{pdf.pages}页" in t for n, t in enumerate(texts, start=1))
    assert "differs from the layout" in caplog.text
