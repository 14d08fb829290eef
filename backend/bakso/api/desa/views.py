"""The desa office's contact: its operator (or an admin) sets it; it is shown to residents."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify
from pydantic import BaseModel, ConfigDict, Field

from ...domain.desa import HOURS_MAX, DesaContact
from ...schemas import In
from ..common import actor, doc, parse, services

bp = Blueprint("desa", __name__, url_prefix="/desa")


class ContactIn(In):  # control characters refused like every body (schemas.TextChecked)
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)

    phone: str = Field(min_length=1, max_length=30, description="e.g. 0812-3456-7890")
    whatsapp: bool = Field(default=False, description="the number also takes WhatsApp")
    hours: str = Field(default="", max_length=HOURS_MAX, description="opening hours, as words")


class ContactOut(BaseModel):
    phone: str
    whatsapp: bool
    hours: str
    updated_at: str
    updated_by: str


class DesaContactOut(BaseModel):
    desa: str
    contact: ContactOut | None = Field(description="null until the desa's operator sets it")


def _out(desa: str, contact: DesaContact | None) -> dict[str, Any]:
    if contact is None:
        return {"desa": desa, "contact": None}
    shown = contact.to_json()
    del shown["desa"]
    return {"desa": desa, "contact": shown}


@bp.get("/<desa>/contact")
@doc(
    summary="The desa office's phone and hours (operators: own desa)",
    response=DesaContactOut,
)
def get_contact(desa: str) -> Response:
    return jsonify(_out(desa, services().desa_contacts.get(actor(), desa)))


@bp.put("/<desa>/contact")
@doc(
    summary="Set the desa office's phone and hours (the desa's operator, or an admin)",
    body=ContactIn,
    response=DesaContactOut,
)
def put_contact(desa: str) -> Response:
    body = parse(ContactIn)
    contact = services().desa_contacts.save(
        actor(), desa, phone=body.phone, whatsapp=body.whatsapp, hours=body.hours
    )
    return jsonify(_out(desa, contact))
