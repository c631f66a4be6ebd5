"""A name with a character no print font has is warned about where it is typed (issue 13 item 9)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from applications.samples import fill_sample_application
from portal.fonts import name_warning, printable_codepoints, unprintable
from tests.factories import ApplicantFactory, ApplicationFactory, valid_id_number

OUTSIDE = "\U0003134a"  # 𱍊, CJK Ext-G: in no installed print font (Noto CJK, HanaMin A/B)


def test_the_installed_fonts_cover_ext_b_but_not_everything():
    known = printable_codepoints()
    assert ord("张") in known and ord("𪚥") in known and ord("𠮷") in known
    assert unprintable("王𪚥") == [] and unprintable("Ahmat·艾力") == []
    assert unprintable(f"张{OUTSIDE}{OUTSIDE}") == [OUTSIDE]
    warning = name_warning(f"张{OUTSIDE}")
    assert f"姓名中的“{OUTSIDE}”超出平台打印字库，评审表和证书上可能无法显示" in warning
    assert name_warning("王𪚥") == ""


@pytest.mark.django_db
def test_registration_warns_of_an_unprintable_character(client):
    data = {"real_name": f"张{OUTSIDE}", "id_number": valid_id_number(), "phone": "13912345678",
            "password1": "Tian-shan-2026", "password2": "Tian-shan-2026"}
    response = client.post(reverse("accounts:register"), data, follow=True)
    texts = [str(m) for m in response.context["messages"]]
    assert any("超出平台打印字库" in t for t in texts)
    plain = client.post(reverse("accounts:register"), {**data, "real_name": "王𪚥", "id_number": valid_id_number()},
                        follow=True)
    assert not any("超出平台打印字库" in str(m) for m in plain.context["messages"])


def test_the_basic_section_warns_of_an_unprintable_character(client, reference, private_storage):
    applicant = ApplicantFactory(real_name=f"张{OUTSIDE}")
    app = fill_sample_application(ApplicationFactory(applicant=applicant))
    client.force_login(applicant)
    page = client.get(reverse("applications:section", args=[app.code, "basic"])).content.decode()
    assert 'data-testid="name-warning"' in page and "超出平台打印字库" in page
    other = client.get(reverse("applications:section", args=[app.code, "education"])).content.decode()
    assert 'data-testid="name-warning"' not in other
