"""The administrators' site (``portal.admin_site``): Django's admin under the portal's names; the
list of every model is built for the pages that show it (the index, an app's page), not for the
sidebar that is off."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from portal.accounts.models import Role
from portal.admin_site import PortalAdminSite
from tests.factories import UserFactory


@pytest.fixture
def root_client(client, reference):
    client.force_login(UserFactory(role=Role.ADMIN, is_superuser=True, is_staff=True, username="root"))
    return client


def test_the_admin_is_the_portal_s_site_under_its_names(root_client):
    admin.site.name  # noqa: B018 - the default site is built lazily
    assert isinstance(admin.site._wrapped, PortalAdminSite)
    page = root_client.get(reverse("admin:index"))
    text = page.content.decode()
    assert page.status_code == 200 and "巴州职称申报评审平台 · 管理后台" in text and "系统管理" in text
    # The index lists the models (its own app list) and links to the applications' list.
    assert len(page.context["app_list"]) > 3
    assert reverse("admin:applications_application_changelist") in text


def test_a_list_page_builds_no_list_of_every_model(root_client, monkeypatch):
    built = []
    real = PortalAdminSite.get_app_list

    def counted(self, request, app_label=None):
        found = real(self, request, app_label)
        built.append(len(found))
        return found

    monkeypatch.setattr(PortalAdminSite, "get_app_list", counted)
    page = root_client.get(reverse("admin:applications_application_changelist"))
    assert page.status_code == 200 and page.context["available_apps"] == []
    assert built == [0], built  # asked once (each_context), answered without reading any model
    assert "nav-sidebar" not in page.content.decode()
    page = root_client.get(reverse("admin:app_list", args=["applications"]))
    assert page.status_code == 200 and [app["app_label"] for app in page.context["app_list"]] == ["applications"]
