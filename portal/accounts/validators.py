"""Resident ID numbers (居民身份证号码, GB 11643): check digit, birth date, region."""

from __future__ import annotations

import datetime as dt

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
