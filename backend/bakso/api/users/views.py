"""Officer accounts for the admin: list, create, disable, reset a password, assign a desa.

An admin manages the accounts of its own kabupaten only (#16): its desa's operators, its
officers and admins, and the province role of its province. Another kabupaten's account
answers 404, like one that does not exist (services/accounts.py).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify
from pydantic import BaseModel, ConfigDict, Field

from ...domain.actors import Actor
from ...domain.errors import Forbidden
from ...domain.lifecycle import Role
from ...domain.model import User
from ...schemas import In
from ..common import actor, doc, parse, services

bp = Blueprint("users", __name__, url_prefix="/users")


class _In(In):  # control characters refused like every body (schemas.TextChecked)
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)


class UserCreateIn(_In):
    username: str = Field(min_length=1, max_length=64)
    role: str = Field(min_length=1, max_length=20)
    desa: str | None = Field(default=None, max_length=20)
    password: str = Field(min_length=1, max_length=256)
    kabupaten: str | None = Field(
        default=None, max_length=5, description="Dukcapil staff: default the admin's own"
    )
    provinsi: str | None = Field(default=None, max_length=2, description="the provinsi role")


class PasswordIn(_In):
    password: str = Field(min_length=1, max_length=256)


class DesaIn(_In):
    desa: str = Field(min_length=1, max_length=20)


class AccountOut(BaseModel):
    username: str
    role: str
    desa: str | None
    kabupaten: str | None = Field(description="an operator's is its desa's; provinsi: none")
    provinsi: str | None
    active: bool
    created_at: str


class AccountListOut(BaseModel):
    items: list[AccountOut]


def _admin() -> Actor:
    who = actor()
    if who.role is not Role.ADMIN:
        raise Forbidden("Hanya admin yang dapat mengelola akun petugas.")
    return who


def account_out(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "role": user.role.value,
        "desa": user.desa,
        "kabupaten": services().accounts.kabupaten_code(user),
        "provinsi": user.provinsi,
        "active": user.active,
        "created_at": user.created_at,
    }


@bp.get("")
@doc(summary="Officer accounts (admin only)", response=AccountListOut)
def list_users() -> Response:
    admin = _admin()
    return jsonify({"items": [account_out(u) for u in services().accounts.list_users(admin)]})


@bp.get("/<username>")
@doc(summary="One officer account (admin only)", response=AccountOut)
def read(username: str) -> Response:
    admin = _admin()
    return jsonify(account_out(services().accounts.account(username, admin)))


@bp.post("")
@doc(
    summary="Create an officer account (admin only)",
    body=UserCreateIn,
    response=AccountOut,
    status=201,
)
def create() -> tuple[Response, int]:
    admin = _admin()
    body = parse(UserCreateIn)
    user = services().accounts.create_user(
        body.username,
        body.role,
        body.desa or None,
        body.password,
        actor=admin,
        kabupaten=body.kabupaten or None,
        provinsi=body.provinsi or None,
    )
    return jsonify(account_out(user)), 201


@bp.post("/<username>/disable")
@doc(summary="Disable an account and end its sessions (admin only)", response=AccountOut)
def disable(username: str) -> Response:
    admin = _admin()
    return jsonify(account_out(services().accounts.disable(username, admin)))


@bp.post("/<username>/enable")
@doc(summary="Enable a disabled account again (admin only)", response=AccountOut)
def enable(username: str) -> Response:
    admin = _admin()
    return jsonify(account_out(services().accounts.enable(username, admin)))


@bp.post("/<username>/reset-password")
@doc(
    summary="Set a new password and end the account's sessions (admin only)",
    body=PasswordIn,
    response=AccountOut,
)
def reset_password(username: str) -> Response:
    admin = _admin()
    body = parse(PasswordIn)
    return jsonify(account_out(services().accounts.reset_password(username, body.password, admin)))


@bp.post("/<username>/sessions/revoke")
@doc(
    summary="End every session of the account, on every device (admin only)",
    response=AccountOut,
)
def end_sessions(username: str) -> Response:
    admin = _admin()
    return jsonify(account_out(services().accounts.end_sessions(username, admin)))


@bp.post("/<username>/desa")
@doc(summary="Assign an operator to a desa (admin only)", body=DesaIn, response=AccountOut)
def assign_desa(username: str) -> Response:
    admin = _admin()
    body = parse(DesaIn)
    return jsonify(account_out(services().accounts.assign_desa(username, body.desa, admin)))
