"""NIK and No. KK: parse, validate, and read what the number encodes.

python-stdnum checks the format only: its region list is years old (no Kalimantan Utara,
no newer Papua provinces; it even refuses province 65) and it guesses 19xx first for the
year. BAKSO owns the rest: the century (the latest one not in the future), impossible
dates, the +40 on a woman's day of birth, and the region against Kemendagri's codes of
today (this deployment's region file, and nationwide.py for elsewhere).

A number keeps the code of the place of first registration, while the lists hold only
today's codes: a province that never existed is refused, but a kabupaten or kecamatan the
list lacks (retired when a region was split, or mistyped) is only a warning, as is a
region that differs from the applicant's desa (people move).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from stdnum.exceptions import InvalidComponent, InvalidFormat, InvalidLength
from stdnum.id import nik as stdnum_nik

from .errors import InvalidInput
from .nationwide import national_codes
from .regions import Regions, kabupaten_of

WARN_OUTSIDE_KABUPATEN = "outside_kabupaten"
WARN_OTHER_KECAMATAN = "other_kecamatan"
WARN_UNKNOWN_KABUPATEN = "unknown_kabupaten"  # not in today's list: retired, or mistyped
WARN_UNKNOWN_KECAMATAN = "unknown_kecamatan"


@dataclass(frozen=True)
class Warning:
    code: str
    message: str


@dataclass(frozen=True)
class NumberInfo:
    """What a valid NIK or No. KK says about itself."""

    number: str  # compact, 16 digits
    date: dt.date  # birth date (NIK) or issue date (KK)
    kecamatan: str  # dotted code of the kecamatan of first registration
    sex: str | None = None  # L or P, NIK only
    warnings: list[Warning] = field(default_factory=list)


def compact(value: str) -> str:
    return str(stdnum_nik.compact(value))


def _full_year(two_digits: int, month: int, day: int, today: dt.date) -> int:
    """The latest century in which the date is not in the future."""
    year = 2000 + two_digits
    if year > today.year or (year == today.year and (month, day) > (today.month, today.day)):
        year -= 100
    return year


def _date(number: str, day: int, today: dt.date, what: str) -> dt.date:
    month, yy = int(number[8:10]), int(number[10:12])
    try:
        return dt.date(_full_year(yy, month, day, today), month, day)
    except ValueError:
        raise InvalidInput(
            f"{what} tidak valid: tanggal {day:02d}-{month:02d} pada nomor itu tidak ada."
        ) from None


def _region(
    number: str, regions: Regions, what: str, desa: str | None
) -> tuple[str, list[Warning]]:
    provinsi = number[0:2]
    kabupaten = f"{provinsi}.{number[2:4]}"
    kecamatan = f"{kabupaten}.{number[4:6]}"
    # The kabupaten the number is judged against: the applicant's desa's, else the only
    # one served (a deployment may serve several, domain/tenants.py).
    served = regions.kabupaten()
    own = (regions.get(kabupaten_of(desa)) if desa else None) or (
        served[0] if len(served) == 1 else None
    )
    own_name = own.name if own is not None else "wilayah layanan ini"
    warnings: list[Warning] = []
    home = regions.get(kabupaten)
    if home is not None and home.level in ("kabupaten", "kota"):
        if regions.get(kecamatan) is None:
            warnings.append(
                Warning(
                    WARN_UNKNOWN_KECAMATAN,
                    f"{home.name} tidak punya kecamatan {kecamatan} saat ini: periksa kembali "
                    f"{what}. Kode lama dari sebelum pemekaran tetap berlaku.",
                )
            )
        elif own is not None and own.code != kabupaten:
            warnings.append(
                Warning(
                    WARN_OUTSIDE_KABUPATEN,
                    f"{what} terdaftar pertama kali di luar {own.name} ({home.name}, {kabupaten}).",
                )
            )
        elif desa and regions.kecamatan_of(desa) != kecamatan:
            warnings.append(
                Warning(
                    WARN_OTHER_KECAMATAN,
                    f"Kode wilayah {what} ({kecamatan}) berbeda dengan kecamatan desa pemohon. "
                    "Periksa kembali bila penduduk tidak pernah pindah.",
                )
            )
        return kecamatan, warnings
    codes = national_codes()
    if provinsi not in codes.provinsi:
        raise InvalidInput(f"{what} tidak valid: kode provinsi {provinsi} tidak dikenal.")
    name = codes.kabupaten.get(kabupaten)
    warnings.append(
        Warning(
            WARN_OUTSIDE_KABUPATEN,
            f"{what} terdaftar pertama kali di luar {own_name} "
            f"({name + ', ' if name else ''}{kabupaten}).",
        )
    )
    if name is None:
        warnings.append(
            Warning(
                WARN_UNKNOWN_KABUPATEN,
                f"Kode kabupaten {kabupaten} tidak ada dalam daftar wilayah Kemendagri saat "
                f"ini: periksa kembali {what}. Kode lama dari sebelum pemekaran tetap berlaku.",
            )
        )
    elif kecamatan not in codes.kecamatan:
        warnings.append(
            Warning(
                WARN_UNKNOWN_KECAMATAN,
                f"{name} tidak punya kecamatan {kecamatan} saat ini: periksa kembali {what}. "
                "Kode lama dari sebelum pemekaran tetap berlaku.",
            )
        )
    return kecamatan, warnings


def _digits(value: str, what: str) -> str:
    number = compact(value or "")
    if not number:
        raise InvalidInput(f"{what} wajib diisi.")
    # str.isdigit() also accepts '²' and Arabic-Indic digits, which int() may then read.
    if not (number.isascii() and number.isdigit()):
        raise InvalidInput(f"{what} hanya boleh berisi angka.")
    if len(number) != 16:
        raise InvalidInput(f"{what} harus 16 digit (tertulis {len(number)} digit).")
    return number


def parse_nik(
    value: str, regions: Regions, *, desa: str | None = None, today: dt.date | None = None
) -> NumberInfo:
    """Validate a NIK; raise InvalidInput with an Indonesian message if it cannot be one."""
    number = _digits(value, "NIK")
    try:
        stdnum_nik.validate(number)
    except (InvalidFormat, InvalidLength):
        raise InvalidInput("NIK tidak valid: format salah.") from None
    except InvalidComponent:
        pass  # stdnum's 19xx-first date guess or region: judged below with our own rules
    day = int(number[6:8])
    sex = "P" if day > 40 else "L"
    birth = _date(number, day - 40 if day > 40 else day, today or dt.date.today(), "NIK")
    kecamatan, warnings = _region(number, regions, "NIK", desa)
    return NumberInfo(number, birth, kecamatan, sex, warnings)


def parse_kk(
    value: str, regions: Regions, *, desa: str | None = None, today: dt.date | None = None
) -> NumberInfo:
    """Validate a No. KK (region, DDMMYY of issue without +40, serial)."""
    number = _digits(value, "No. KK")
    issued = _date(number, int(number[6:8]), today or dt.date.today(), "No. KK")
    kecamatan, warnings = _region(number, regions, "No. KK", desa)
    return NumberInfo(number, issued, kecamatan, None, warnings)
