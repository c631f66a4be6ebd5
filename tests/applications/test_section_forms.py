"""Form rules of the notices, enforced on the server (SPEC §4), and the sample content passing them."""

import datetime as dt

import pytest
from django.utils import timezone

from applications.enums import Section
from applications.forms import SPECS, SectionContext, SectionEditor, json_to_raw
from applications.samples import fill_sample_application, sample_sections
from tests.factories import ApplicationFactory


@pytest.fixture
def app(reference):
    return ApplicationFactory()


def editor_for(app, key, data):
    return SectionEditor(key, context=SectionContext(user=app.applicant, application=app), raw=json_to_raw(key, data))


def sample(app, **overrides):
    user, unit = app.applicant, app.unit
    return sample_sections(name=user.real_name, id_number=user.id_number, unit_name=unit.name,
                           unit_nature=unit.nature, county=unit.county.name, year=app.campaign.year,
                           level_code=app.level.code, **overrides)


def test_sample_content_passes_every_section_form(app):
    for key, content in sample(app).items():
        editor = editor_for(app, key, content)
        assert editor.is_valid(), (key, editor.error_messages())
        assert editor.to_json() == content, key


def test_sample_application_sections_round_trip(app, private_storage):
    fill_sample_application(app)
    for section in app.sections.all():
        editor = editor_for(app, section.key, section.data)
        assert editor.is_valid(), (section.key, editor.error_messages())
        assert editor.to_json() == section.data
