"""Realistic document photos, made with Pillow: a printed page (a form, a letter or a table such
as a Kartu Keluarga) lying on a table, photographed by a 12 MP phone camera — slightly turned,
unevenly lit, a little soft, with sensor noise, saved as the camera would (JPEG quality 92).

`document_photo` returns the JPEG and the words printed on the page, which the legibility
check reads back.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/truetype/liberation")]
WORDS = [
    "nama",
    "kepala",
    "keluarga",
    "alamat",
    "desa",
    "kecamatan",
    "kabupaten",
    "provinsi",
    "nomor",
    "induk",
    "kependudukan",
    "tempat",
    "tanggal",
    "lahir",
    "jenis",
    "kelamin",
    "agama",
    "pendidikan",
    "pekerjaan",
    "status",
    "perkawinan",
    "hubungan",
    "dalam",
    "keluarga",
    "kewarganegaraan",
    "dokumen",
    "imigrasi",
    "ayah",
    "ibu",
    "anak",
    "istri",
    "suami",
    "lombok",
    "timur",
    "selong",
    "sakra",
    "keruak",
    "tanjung",
    "luar",
    "masbagik",
    "aikmel",
    "pringgabaya",
    "sembalun",
    "labuhan",
    "haji",
    "pemerintah",
    "dinas",
    "kependudukan",
    "pencatatan",
    "sipil",
    "surat",
    "keterangan",
    "kelahiran",
    "kematian",
    "pindah",
    "datang",
    "perubahan",
    "data",
    "formulir",
    "biodata",
    "penduduk",
    "warga",
    "negara",
    "indonesia",
    "islam",
    "kristen",
    "hindu",
    "budha",
    "petani",
    "nelayan",
    "pedagang",
    "pelajar",
    "mahasiswa",
    "wiraswasta",
    "belum",
    "kawin",
    "cerai",
    "hidup",
    "mati",
    "sekolah",
    "dasar",
    "menengah",
    "atas",
    "diploma",
    "sarjana",
    "golongan",
    "darah",
    "saksi",
    "pelapor",
    "pejabat",
    "kepala",
    "dusun",
    "rukun",
    "tetangga",
    "warga",
    "yang",
    "bertanda",
    "tangan",
    "di",
    "bawah",
    "ini",
    "menerangkan",
    "bahwa",
    "benar",
    "telah",
    "lahir",
    "seorang",
    "anak",
    "laki",
    "perempuan",
    "pada",
    "hari",
    "senin",
    "selasa",
    "rabu",
    "kamis",
    "jumat",
]


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    names = (
        ["DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf"]
        if bold
        else [
            "DejaVuSans.ttf",
            "LiberationSans-Regular.ttf",
        ]
    )
    for folder in FONT_DIRS:
        for name in names:
            if (folder / name).is_file():
                return ImageFont.truetype(str(folder / name), size)
    return ImageFont.load_default(size=size)


@dataclass
class Page:
    image: Image.Image
    words: list[str]


def _text(
    draw: ImageDraw.ImageDraw,
    xy: tuple[int, int],
    text: str,
    size: int,
    words: list[str],
    bold: bool = False,
    fill: tuple[int, int, int] = (25, 25, 30),
) -> int:
    font = _font(size, bold)
    draw.text(xy, text, font=font, fill=fill)
    words.extend(text.split())
    return int(size * 1.45)


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _page(rng: random.Random, kind: str, width: int, height: int) -> Page:
    """The printed page at about 12.5 px/mm (A4 across ~3,700 px)."""
    paper = Image.new("RGB", (width, height), (246, 244, 236))
    draw = ImageDraw.Draw(paper)
    words: list[str] = []
    mm = height / (210 if width > height else 297)
    margin = int(18 * mm)
    body, small, title = int(3.6 * mm), int(2.9 * mm), int(5.2 * mm)  # ~10 pt, 8 pt, 15 pt
    y = margin
    y += _text(draw, (margin, y), "PEMERINTAH KABUPATEN LOMBOK TIMUR", title, words, bold=True)
    y += _text(draw, (margin, y), "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL", body, words, True)
    draw.line([(margin, y), (width - margin, y)], fill=(30, 30, 30), width=max(2, int(0.5 * mm)))
    y += int(4 * mm)
    if kind == "table":  # a Kartu Keluarga: a wide table of family members
        cols = 7
        col_w = (width - 2 * margin) // cols
        for _row in range(9):
            for col in range(cols):
                x = margin + col * col_w
                draw.rectangle([x, y, x + col_w, y + int(7 * mm)], outline=(60, 60, 70), width=2)
                cell = _sentence(rng, 1) if col else str(rng.randrange(10**15, 10**16))
                _text(draw, (x + int(1.2 * mm), y + int(1.8 * mm)), cell, small, words)
            y += int(7 * mm)
        y += int(5 * mm)
    while y < height - margin - 6 * body:
        if kind == "form" and rng.random() < 0.6:
            label = _sentence(rng, rng.randint(2, 3)).title()
            value = _sentence(rng, rng.randint(1, 3)).upper()
            _text(draw, (margin, y), f"{label}", body, words)
            y += _text(draw, (margin + int(70 * mm), y), f": {value}", body, words)
        else:
            size = small if rng.random() < 0.3 else body
            chars = (width - 2 * margin) / (size * 0.55)
            y += _text(draw, (margin, y), _sentence(rng, max(3, int(chars / 8))), size, words)
    # A blue stamp over the signature: ink that a legibility check should survive.
    cx, cy, r = width - margin - int(35 * mm), height - margin - int(25 * mm), int(16 * mm)
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=(40, 60, 170), width=int(0.8 * mm))
    words = [w.strip(":").lower() for w in words]
    return Page(paper, [w for w in words if len(w) >= 3 and w.isalnum()])


Corner = tuple[float, float]


def document_photo(
    seed: int, kind: str, size: tuple[int, int] = (3000, 4000)
) -> tuple[bytes, list[str]]:
    """A phone photo (`size`, 12 MP by default) of a printed page of the given kind:
    "form", "letter" (portrait) or "table" (landscape, pass a landscape size)."""
    photo, words, _ = paper_photo(seed, kind, size)
    return photo, words


def paper_photo(
    seed: int, kind: str, size: tuple[int, int] = (3000, 4000)
) -> tuple[bytes, list[str], list[Corner]]:
    """`document_photo`, with the paper's four corners in the photo (top left, top right,
    bottom right, bottom left, in pixels): where an operator puts the crop's handles."""
    rng = random.Random(seed)  # noqa: S311 - test pixels, not secrets
    width, height = size
    landscape = width > height
    page_h = int(height * 0.86)
    page_w = int(page_h * (297 / 210 if landscape else 210 / 297))
    page = _page(rng, kind, page_w, page_h)
    table = Image.new("RGB", size, (112, 92, 74))
    table = ImageChops.add(table, Image.effect_noise(size, 18).convert("RGB"), 1.0, -128)
    angle_mask = Image.new("L", page.image.size, 255)
    angle = rng.uniform(-2.0, 2.0)
    turned = page.image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
    angle_mask = angle_mask.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
    x = (width - turned.width) // 2 + rng.randint(-40, 40)
    y = (height - turned.height) // 2 + rng.randint(-40, 40)
    table.paste(turned, (x, y), angle_mask)
    # The page's corners, turned about its centre as Image.rotate does (counter-clockwise).
    turn = math.radians(angle)
    cx, cy = x + turned.width / 2, y + turned.height / 2
    corners = [
        (
            cx + dx * math.cos(turn) + dy * math.sin(turn),
            cy - dx * math.sin(turn) + dy * math.cos(turn),
        )
        for dx, dy in ((-page_w / 2, -page_h / 2), (page_w / 2, -page_h / 2),
                       (page_w / 2, page_h / 2), (-page_w / 2, page_h / 2))
    ]  # fmt: skip
    # Uneven light: brighter where the phone's shadow is not, darker towards one corner.
    side = int(math.hypot(width, height)) + 2
    light = Image.linear_gradient("L").resize((side, side)).rotate(rng.uniform(0, 360))
    left, top = (side - width) // 2, (side - height) // 2
    light = light.crop((left, top, left + width, top + height))
    light = light.point(lambda v: 200 + v * 55 // 255)
    photo = ImageChops.multiply(table, Image.merge("RGB", (light, light, light)))
    photo = photo.filter(ImageFilter.GaussianBlur(0.9))
    photo = ImageChops.add(photo, Image.effect_noise(size, 6).convert("RGB"), 1.0, -128)
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=92)
    return out.getvalue(), page.words, corners


KINDS = [("form", (3000, 4000)), ("letter", (3000, 4000)), ("table", (4000, 3000))]


def photo_set(count: int, scale: float = 1.0) -> list[tuple[bytes, list[str]]]:
    """`count` photos cycling through the kinds; `scale` < 1 makes smaller ones (smoke runs)."""
    out = []
    for i in range(count):
        kind, (w, h) = KINDS[i % len(KINDS)]
        out.append(document_photo(i, kind, (int(w * scale), int(h * scale))))
    return out


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """A x = b by Gauss-Jordan elimination with partial pivoting (8 unknowns: no numpy needed)."""
    n = len(b)
    m = [[*row, b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(n):
            if r != col:
                f = m[r][col] / m[col][col]
                m[r] = [x - f * y for x, y in zip(m[r], m[col], strict=True)]
    return [m[i][n] / m[i][i] for i in range(n)]


def perspective_data(to: list[Corner], frm: list[Corner]) -> tuple[float, ...]:
    """Pillow's `Image.Transform.PERSPECTIVE` data: the projective map that sends each of the
    four points `to` (in the output image) to the matching point of `frm` (in the input)."""
    a: list[list[float]] = []
    b: list[float] = []
    for (x, y), (u, v) in zip(to, frm, strict=True):
        a += [[x, y, 1, 0, 0, 0, -u * x, -u * y], [0, 0, 0, x, y, 1, -v * x, -v * y]]
        b += [u, v]
    return tuple(_solve(a, b))


def straightened(photo: bytes, corners: list[Corner], size: tuple[int, int]) -> Image.Image:
    """Pillow's own straightening of the paper at `corners` into an upright `size` image: the
    reference a crop made elsewhere is compared with."""
    w, h = size
    rect: list[Corner] = [(0.0, 0.0), (float(w), 0.0), (float(w), float(h)), (0.0, float(h))]
    data = perspective_data(rect, corners)
    return Image.open(io.BytesIO(photo)).transform(
        size, Image.Transform.PERSPECTIVE, data, Image.Resampling.BICUBIC
    )
