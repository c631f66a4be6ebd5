"""Fonts: a small portal subset for speed, the full Noto CJK face for rare characters in names."""

from __future__ import annotations

from fontTools.ttLib import TTFont
from PIL import ImageFile

from applications.samples import fill_sample_application
from review.documents.engine import engine, subset_characters, subset_fonts
from review.documents.services import review_form_render
from tests.factories import ApplicantFactory, ApplicationFactory

from .conftest import climb_to_accepted, pdffonts, pdftotext

RARE_NAME = "王喆𠮷䶮"  # 喆 and 䶮 (Ext-A) are outside GB 2312; 𠮷 is CJK Ext-B


def test_subset_covers_gb2312_and_leaves_rare_characters_to_the_fallback():
    chars = set(subset_characters())
    gb2312_hanzi = {bytes((hi, lo)).decode("gb2312") for hi in range(0xB0, 0xF8) for lo in range(0xA1, 0xFF)
                    if not (hi == 0xD7 and lo > 0xF9)}
    assert len(gb2312_hanzi) == 6763 and gb2312_hanzi <= chars
    _family, path, _weight = subset_fonts()[0]
    cmap = TTFont(str(path)).getBestCmap()
    assert ord("张") in cmap and ord("建") in cmap
    assert not any(ord(ch) in cmap for ch in "喆𠮷䶮")
    assert path.stat().st_size < 4 * 1024 * 1024


def test_rare_characters_in_a_name_print_from_the_full_font(reference, private_storage, tmp_path):
    applicant = ApplicantFactory(real_name=RARE_NAME)
    app = climb_to_accepted(fill_sample_application(ApplicationFactory(applicant=applicant)))
    content = review_form_render(application_id=app.pk).file.read()
    assert RARE_NAME in pdftotext(content, tmp_path)
    fonts = pdffonts(content, tmp_path)
    assert "Portal-Serif" in fonts  # the fast subset prints the common characters …
    assert "Noto-Serif-CJK-SC" in fonts or "Noto-Sans-CJK-SC" in fonts  # … the full face the rare ones


def test_loading_the_engine_keeps_pillow_strict_about_truncated_images():
    """WeasyPrint flips Pillow's global LOAD_TRUNCATED_IMAGES on import; the worker also checks
    uploads, so the engine puts it back, even when something else imported WeasyPrint first."""
    import weasyprint  # noqa: F401 - as another module of the process may have done

    from review.documents import engine as engine_module

    ImageFile.LOAD_TRUNCATED_IMAGES = True  # what that import leaves
    engine_module.Engine()
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    engine()
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


# -- issue 13 item 9: characters beyond Noto CJK ---------------------------------------------------

EXT_B_NAME = "王𪚥"  # 𪚥 (U+2A6A5, CJK Ext-B): not in Noto CJK, in 花园明朝 (fonts-hanazono)


def test_an_ext_b_character_in_a_name_prints_with_a_real_glyph(reference, private_storage, tmp_path):
    applicant = ApplicantFactory(real_name=EXT_B_NAME)
    app = climb_to_accepted(fill_sample_application(ApplicationFactory(applicant=applicant)))
    content = review_form_render(application_id=app.pk).file.read()
    assert EXT_B_NAME in pdftotext(content, tmp_path)
    assert "HanaMin" in pdffonts(content, tmp_path)  # embedded: a glyph, not a .notdef box


def test_the_certificate_stack_falls_back_to_hanazono():
    from django.template.loader import get_template

    source = get_template("aftercare/pdf/certificate.html").template.source
    assert source.count('"HanaMinA", "HanaMinB"') == 3
    from review.documents.engine import SANS_STACK, SERIF_STACK

    assert '"HanaMinA", "HanaMinB"' in SERIF_STACK and '"HanaMinA", "HanaMinB"' in SANS_STACK
