import pytest

from applications.models import County, Level, Series, Specialty, TitleName
from applications.seeding import load_reference


def test_every_series_and_specialty_of_notice_002(reference):
    engineering = Specialty.objects.filter(series__name="工程系列").values_list("name", flat=True)
    assert list(engineering) == ["石油", "建材", "林业和草原", "公路工程", "生态环境", "水利", "质量技术监督", "建筑",
                                 "运输", "化工（含制药）", "纺织", "机械电子", "电力"]
    assert Specialty.objects.filter(series__name="艺术系列").count() == 11
    assert list(Specialty.objects.filter(series__name="中小学教师系列").values_list("name", flat=True)) == [
        "中小学教师", "幼儿园教师"]
    assert Series.objects.count() == 15
    # A series without specialties has one, named after the series without 系列.
    assert Specialty.objects.get(series__name="党干校教师系列").name == "党干校教师"


def test_counties_of_bayingolin(reference):
    assert list(County.objects.values_list("name", flat=True)) == [
        "库尔勒市", "轮台县", "尉犁县", "若羌县", "且末县", "焉耆回族自治县", "和静县", "和硕县", "博湖县", "库尔勒经济技术开发区"]


def test_title_names_per_series_and_level(reference):
    def title(series, level, specialty=None):
        return TitleName.objects.get(series__name=series, level__code=level, specialty__name=specialty).name

    assert title("工程系列", "junior") == "助理工程师"
    assert title("工程系列", "intermediate") == "工程师"
    assert title("党干校教师系列", "junior") == "助教"
    assert title("党干校教师系列", "intermediate") == "讲师"
    assert title("艺术系列", "intermediate", "演员") == "二级演员"


def test_levels_extend_to_senior_by_adding_rows(reference):
    Level.objects.create(code="deputy_senior", name="副高级", rank=3)
    load_reference()  # reloading keeps administrator-added levels
    assert list(Level.objects.values_list("name", flat=True)) == ["初级", "中级", "副高级"]


@pytest.mark.django_db
def test_load_reference_is_idempotent(reference):
    before = (Specialty.objects.count(), TitleName.objects.count())
    load_reference()
    assert (Specialty.objects.count(), TitleName.objects.count()) == before
