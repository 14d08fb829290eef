"""Shapes of the session API: logging in, and who is logged in (#16: with its kabupaten)."""

from __future__ import annotations

from pydantic import Field

from ...schemas import In, Out


class LoginIn(In):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class UserOut(Out):
    username: str
    role: str
    desa: str | None
    kabupaten: str | None = Field(description="the kabupaten it works for (#16); provinsi: none")
    provinsi: str | None


class DukcapilOfficeOut(Out):
    name: str
    address: str
    phone: str


class KabupatenOut(Out):
    """A served kabupaten as screens show it (domain/tenants.Kabupaten.public)."""

    code: str
    name: str
    short_name: str
    code_prefix: str
    timezone: str
    report_channels: list[str]
    dukcapil: DukcapilOfficeOut


class LoginOut(Out):
    user: UserOut
    csrf_token: str
    kabupaten: KabupatenOut | list[KabupatenOut] | None = Field(
        description="the kabupaten the account works for; the provinsi role: its province's"
    )
    timezone: str = Field(
        description="the kabupaten's IANA zone (provinsi: its first kabupaten's): every time"
        " people read"
    )
