"""The form renderer: Django's own widget templates in their Jinja2 version, the Django template
language for a template that exists only there.

Django ships every form and widget template twice (``django/forms/templates`` and
``django/forms/jinja2``, the same markup); rendering a ``<select>`` or a form's errors through
Jinja2 costs a fraction of the Django template language's per-node cost, which on a filter form of
six fields or a review form was a third of the page's CPU (issue 16).  The admin's widget wrappers
(``admin/widgets/*.html``) exist only as Django templates: they fall back to them.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class FormRenderer(Jinja2):
    fallback = DjangoTemplates()

    def get_template(self, template_name):
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return self.fallback.get_template(template_name)
