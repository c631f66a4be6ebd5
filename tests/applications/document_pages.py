"""Realistic document pages for the blur calibration (``test_upload_quality.py``): an A4 form with
10.5 pt Chinese text, a table and a red seal, rendered at a scanner's resolution, and the same page
photographed by a 12-megapixel phone (page filling most of the frame, turned a little, uneven
light, lens softness, sensor noise, JPEG)."""

from __future__ import annotations

import io
import random
from functools import lru_cache

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps

from applications.samples import _font

BODY = ("兹证明张建华同志于二〇一五年七月毕业于新疆大学土木工程专业，学制四年，成绩合格，准予毕业。"
        "经审核符合《中华人民共和国学位条例》的规定，授予工学学士学位。该同志在校期间遵守纪律，"
        "积极参加社会实践活动，参与巴音郭楞蒙古自治州库尔勒市城市道路改造工程设计，获得优秀实习生称号。")
CELLS = ("姓名", "张建华", "性别", "男", "出生年月", "1990.01", "民族", "汉族", "工作单位", "巴州建筑设计研究院",
         "专业技术职务", "助理工程师", "考核年度", "2025", "考核结果", "优秀", "身份证号", "652801199001011232",
         "联系电话", "13899001122", "学历", "大学本科", "现从事专业", "建筑设计", "备注", "无")


def _points(size_pt: float, dpi: int) -> int:
    return max(6, round(size_pt / 72 * dpi))


@lru_cache(maxsize=4)
def a4_page(dpi: int = 300) -> Image.Image:
    """An annual-evaluation form as a flatbed scanner sees it, 210 × 297 mm at ``dpi``."""
    mm = dpi / 25.4
    page = Image.new("RGB", (round(210 * mm), round(297 * mm)), (252, 251, 247))
    draw = ImageDraw.Draw(page)
    draw.text((page.width / 2, 30 * mm), "专业技术人员年度考核登记表", font=_font(_points(22, dpi)),
              fill=(15, 15, 15), anchor="mm")
    body, rule = _font(_points(10.5, dpi)), max(1, round(0.25 * mm))
    top, rows = 45 * mm, 8
    for r in range(rows + 1):
        draw.line([(20 * mm, top + r * 9 * mm), (190 * mm, top + r * 9 * mm)], fill=(40, 40, 40), width=rule)
    for x in (20, 50, 100, 130, 190):
        draw.line([(x * mm, top), (x * mm, top + rows * 9 * mm)], fill=(40, 40, 40), width=rule)
    for i in range(rows * 4):
        x = (21, 51, 101, 131)[i % 4]
        draw.text((x * mm, top + (i // 4) * 9 * mm + 2.5 * mm), CELLS[i % len(CELLS)], font=body, fill=(25, 25, 25))
    y, per_line = top + rows * 9 * mm + 10 * mm, int(170 * mm / _points(10.5, dpi))
    text = BODY * 4
    for start in range(0, len(text), per_line):
        if y > 250 * mm:
            break
        draw.text((20 * mm, y), text[start:start + per_line], font=body, fill=(30, 30, 30))
        y += _points(10.5, dpi) * 1.6
    cx, cy, radius = 150 * mm, 255 * mm, 20 * mm
    draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], outline=(200, 40, 40), width=round(mm))
    draw.text((cx, cy), "人事科", font=_font(_points(14, dpi)), fill=(200, 40, 40), anchor="mm")
    return page


def as_jpeg(image: Image.Image, quality: int = 88) -> Image.Image:
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=quality)
    buf.seek(0)
    return Image.open(buf).convert("RGB")


def jpeg_bytes(image: Image.Image, quality: int = 88) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def blurred(image: Image.Image, radius: float) -> Image.Image:
    return as_jpeg(image.filter(ImageFilter.GaussianBlur(radius)))


def phone_photo(page: Image.Image, *, defocus: float = 1.0, noise: float = 6.0, quality: int = 85) -> Image.Image:
    """``page`` photographed with a 12-megapixel phone held over a desk (3024 × 4032)."""
    width, height = 3024, 4032
    desk = (120, 100, 80)
    frame = Image.new("RGB", (width, height), desk)
    page_height = round(height * 0.86)
    shot = page.resize((round(page_height * 210 / 297), page_height), Image.Resampling.LANCZOS)
    shot = shot.rotate(1.5, expand=True, fillcolor=desk, resample=Image.Resampling.BICUBIC)
    frame.paste(shot, ((width - shot.width) // 2, (height - shot.height) // 2))
    light = ImageOps.invert(Image.radial_gradient("L").resize((width, height))).point(lambda v: 170 + v * 85 // 255)
    frame = ImageChops.multiply(frame, Image.merge("RGB", [light] * 3)).filter(ImageFilter.GaussianBlur(defocus))
    frame = ImageChops.add(frame, Image.merge("RGB", [_grain(width, height, noise)] * 3), scale=1, offset=-128)
    return as_jpeg(frame, quality)


@lru_cache(maxsize=4)
def _grain(width: int, height: int, sigma: float) -> Image.Image:
    """Sensor noise around 128, seeded (``Image.effect_noise`` is not, and the tests compare scores)."""
    rng = random.Random(2026)
    tile = Image.new("L", (256, 256))
    tile.putdata([max(0, min(255, round(rng.gauss(128, sigma)))) for _ in range(256 * 256)])
    grain = Image.new("L", (width, height))
    for x in range(0, width, 256):
        for y in range(0, height, 256):
            grain.paste(tile, (x, y))
    return grain
