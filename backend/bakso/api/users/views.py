"""Officer accounts for the admin: list, create, disable, reset a password, assign a desa."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify
from pydantic import BaseModel, ConfigDict, Field

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


class PasswordIn(_In):
    password: str = Field(min_length=1, max_length=256)


class DesaIn(_In):
    desa: str = Field(min_length=1, max_length=20)


class AccountOut(BaseModel):
    username: str
    role: str
    desa: str | None
    active: bool
    created_at: str


class AccountListOut(BaseModel):
    items: list[AccountOut]


def _admin() -> str:
    who = actor()
    if who.role is not Role.ADMIN:
        raise Forbidden("Hanya admin yang dapat mengelola akun petugas.")
    return who.username


def account_out(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "role": user.role.value,
        "desa": user.desa,
        "active": user.active,
        "created_at": user.created_at,
    }


@bp.get("")
@doc(summary="Officer accounts (admin only)", response=AccountListOut)
def list_users() -> Response:
    _admin()
    return jsonify({"items": [account_out(u) for u in services().accounts.list_users()]})


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
        body.username, body.role, body.desa or None, body.password, actor=admin
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
