import datetime as dt

import pytest
from django.urls import reverse
from stdnum.cn import ric

from portal.accounts.models import Role, User
from portal.accounts.validators import gender_of
from tests.factories import valid_id_number


def _form(**overrides):
    data = {"real_name": "阿依古丽", "id_number": valid_id_number(female=True), "phone": "13912345678",
            "password1": "Tian-shan-2026", "password2": "Tian-shan-2026"}
    data.update(overrides)
    return data


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.mark.django_db
def test_register_creates_applicant_who_logs_in_by_id_number(client):
    data = _form()
    response = client.post(reverse("accounts:register"), data)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    user = User.objects.get(id_number=data["id_number"])
    assert (user.username, user.role, user.real_name) == (data["id_number"], Role.APPLICANT, "阿依古丽")
    assert gender_of(user.id_number) == "female"
    login = client.post(reverse("accounts:login"), {"username": data["id_number"], "password": data["password1"]})
    assert login.status_code == 302 and client.get("/me/").status_code == 200


@pytest.mark.django_db
def test_register_refuses_wrong_check_digit_in_chinese(client):
    good = valid_id_number()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = client.post(reverse("accounts:register"), _form(id_number=bad))
    assert response.status_code == 200
    assert "校验位不正确" in response.content.decode()
    assert not User.objects.filter(id_number=bad).exists()


@pytest.mark.django_db
def test_register_refuses_birth_date_in_future(client):
    future = (dt.date.today() + dt.timedelta(days=400)).strftime("%Y%m%d")
    body = f"652801{future}123"
    number = body + ric.calc_check_digit(body + "0")
    response = client.post(reverse("accounts:register"), _form(id_number=number))
    assert "出生日期晚于今天" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("region", ["652808", "652816", "990101"])
def test_register_refuses_a_region_code_that_does_not_exist(client, region):
    # 6528xx is 巴州 but 08 and 16 are no county of it (python-stdnum raises KeyError on them);
    # 99 is no province.  Either way the applicant is told, not shown a server error.
    number = valid_id_number(region=region)
    response = client.post(reverse("accounts:register"), _form(id_number=number))
    assert response.status_code == 200
    assert "出生日期或地区代码无效" in response.content.decode()
    assert not User.objects.filter(id_number=number).exists()


@pytest.mark.django_db
def test_register_answers_a_registered_number_exactly_like_a_new_one(client):
    """Issue 13: "该身份证号码已注册" told anyone which ID numbers are registered."""
    data = _form()
    first = client.post(reverse("accounts:register"), data, follow=True)
    original = User.objects.get(id_number=data["id_number"])
    again = client.post(reverse("accounts:register"), {**data, "real_name": "另一人", "password1": "Other-pass-99",
                                                       "password2": "Other-pass-99"}, follow=True)
    assert first.redirect_chain == again.redirect_chain == [(reverse("accounts:login"), 302)]
    assert _messages(first) == _messages(again) and "注册申请已受理" in _messages(first)[0]
    assert "已注册" not in again.content.decode().replace("以前已经注册过", "")
    original.refresh_from_db()
    assert original.real_name == "阿依古丽" and original.check_password(data["password1"])
    assert User.objects.filter(id_number=data["id_number"]).count() == 1


@pytest.mark.django_db
def test_login_accepts_lower_case_x(client):
    body = "65280119900101001"
    number = next(body[:-3] + f"{i:03d}" for i in range(1, 999)
                  if ric.calc_check_digit(body[:-3] + f"{i:03d}" + "0") == "X")
    number = number + "X"
    User.objects.create_user(username=number, id_number=number, real_name="测试", password="Tian-shan-2026")
    response = client.post(reverse("accounts:login"), {"username": number.lower(), "password": "Tian-shan-2026"})
    assert response.status_code == 302
