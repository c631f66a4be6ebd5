"""Resident ID numbers (居民身份证号码, GB 11643): check digit, birth date, region."""

from __future__ import annotations

import datetime as dt
import re

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength


def normalize_id_number(value: str) -> str:
    return ric.compact(value or "").upper()


def validate_id_number(value: str) -> str:
    """Return the normalised number or raise ``ValidationError`` with a message saying what is wrong."""
    number = normalize_id_number(value)
    try:
        try:
            ric.validate(number)
        except KeyError:
            # python-stdnum 2.2 knows the prefecture of a code such as 652808 but finds no county
            # for it and fails with KeyError instead of InvalidComponent: no such region.
            raise InvalidComponent() from None
    except InvalidLength:
        raise ValidationError(_("身份证号码应为18位，您输入了%(n)d位。"), params={"n": len(number)}, code="length")
    except InvalidFormat:
        raise ValidationError(_("身份证号码前17位必须是数字，最后一位是数字或X。"), code="format")
    except InvalidChecksum:
        raise ValidationError(_("身份证号码校验位不正确，请逐位核对（最后一位可能是X）。"), code="checksum")
    except InvalidComponent:
        raise ValidationError(_("身份证号码中的出生日期或地区代码无效，请核对。"), code="component")
    if birth_date_of(number) > timezone.localdate():
        raise ValidationError(_("身份证号码中的出生日期晚于今天，请核对。"), code="future")
    return number


def birth_date_of(number: str) -> dt.date:
    return ric.get_birth_date(normalize_id_number(number))


def gender_of(number: str) -> str:
    """Odd 17th digit: male; even: female (GB 11643)."""
    return "male" if int(normalize_id_number(number)[16]) % 2 else "female"


# --- Passwords ------------------------------------------------------------------------------

class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with the message in Chinese: Django's zh-Hans catalogue lacks the current
    plural form of "This password is too short", so the refusal came out in English."""

    def get_error_message(self) -> str:
        return _("密码太短，至少需要%(min_length)d个字符。") % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return _("密码至少需要%(min_length)d个字符。") % {"min_length": self.min_length}


# --- Personal names -------------------------------------------------------------------------

# Letters a name on a resident ID card can hold: CJK ideographs (with the extension blocks up to
# H and the compatibility ideographs), Latin letters, Uyghur (Arabic script, with its combining
# marks and presentation forms) and traditional Mongolian.  Digits, punctuation and symbols are
# not letters of any of them, which is what keeps "=HYPERLINK(...)" and "<script>" out.
_LETTER_RANGES = (
    "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\U00020000-\U0002a6df\U0002a700-\U0002ebef\U0002ebf0-\U0002ee5f\U0002f800-\U0002fa1f"
    "\U00030000-\U000323af"
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
    "\u0620-\u064a\u064b-\u065f\u066e-\u06d3\u06d5-\u06ed\u06fa-\u06ff\u0750-\u077f"
    "\ufb50-\ufdff\ufe70-\ufefc"
    "\u1820-\u1878\u1880-\u18aa\u180b-\u180f\U00011660-\U0001167f"
)
NAME_RE = re.compile(f"[{_LETTER_RANGES}]+(?:[ ·][{_LETTER_RANGES}]+)*")
# Middle dots people type instead of "·" (U+00B7): katakana, bullet, hyphenation point, full stop.
_DOTS = str.maketrans({"\u30fb": "·", "\u2022": "·", "\u2027": "·", "\uff65": "·", "\u2219": "·", "．": "·",
                       ".": "·"})
_CJK_SPACE = re.compile(r"\s*(·)\s*|(?<=[\u3400-\u9fff\uf900-\ufaff\U00020000-\U000323af])\s+"
                        r"|\s+(?=[\u3400-\u9fff\uf900-\ufaff\U00020000-\U000323af])")
NAME_MESSAGE = _("姓名只能包含汉字、间隔号“·”、拉丁字母、维吾尔文或蒙古文字母（外文姓名各部分之间可有一个空格），"
                 "请按身份证上的姓名填写。")


def normalise_person_name(value: str) -> str:
    """One space between words, none around a CJK character or the middle dot, one kind of dot."""
    name = " ".join((value or "").split()).translate(_DOTS)
    return _CJK_SPACE.sub(lambda m: m.group(1) or "", name)


def validate_person_name(value: str) -> str:
    """Return the normalised name or raise ``ValidationError`` saying which characters are allowed."""
    name = normalise_person_name(value)
    if not NAME_RE.fullmatch(name):
        raise ValidationError(NAME_MESSAGE, code="name_characters")
    return name
