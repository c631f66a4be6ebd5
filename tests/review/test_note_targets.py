"""Return-note targets: the applicant's own sections and scans, a scan numbered only where several
share a name (issue 18, item 10)."""

from __future__ import annotations

import uuid

import pytest

from applications.samples import fill_sample_application
from review.demo import approve_at_unit
from review.display import sections_for
from review.forms import note_targets
from review.services import application_transition
from tests.factories import ApplicationFactory, UnitOfficerFactory

pytestmark = pytest.mark.django_db


def _labels(choices):
    flat = []
    for value, label in choices:
        flat += [text for _v, text in label] if isinstance(label, list) else [label]
    return flat


def test_targets_name_each_scan_once_and_leave_out_the_units_publicity(reference, private_storage):
    app = fill_sample_application(ApplicationFactory())
    application_transition(application_id=app.pk, action="submit", actor=app.applicant)
    officer = UnitOfficerFactory(unit=app.unit)
    approve_at_unit(app, officer)  # attaches the unit's publicity scans
    labels = _labels(note_targets(sections_for(app, officer)))
    names = [a.slot for a in app.attachments.all()]
    assert "publicity" in names
    assert not any("公示" in label for label in labels)
    assert app.attachments.filter(slot="diploma").count() == 1
    assert "毕业证书、学位证书" in labels
    numbered = [label[:-3] for label in labels if label.endswith("（1）")]
    assert all(f"{base}（2）" in labels for base in numbered)  # numbers only where several share a name
    assert "见习期工作情况" not in labels  # a 初定 section: this is a review application


def test_several_scans_of_one_material_are_numbered(reference, private_storage):
    from applications.models import Attachment

    app = fill_sample_application(ApplicationFactory())
    first = app.attachments.filter(slot="diploma").first()
    second = Attachment.objects.get(pk=first.pk)
    second.pk, second.uid, second.order = None, uuid.uuid4(), 1
    second.save()
    officer = UnitOfficerFactory(unit=app.unit)
    application_transition(application_id=app.pk, action="submit", actor=app.applicant)
    labels = _labels(note_targets(sections_for(app, officer)))
    assert "毕业证书、学位证书（1）" in labels and "毕业证书、学位证书（2）" in labels
