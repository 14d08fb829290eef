"""The tanda terima: printable A4 or 58 mm thermal, with a QR of the resident's status link."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from urllib.parse import quote

import segno
from flask import Response, current_app, render_template

from ..domain.errors import Conflict
from ..domain.resident import indonesian_date
from ..domain.tenants import Kabupaten
from ..services.requests import RequestDetail
from . import lookup_url, status_url
from .kabupaten_texts import kabupaten_context

LAYOUTS = {"a4": "A4", "thermal": "58mm 297mm"}
CSS = (Path(__file__).parent / "templates" / "_receipt.css").read_text(encoding="utf-8").strip()
# The one script of the receipt (allowed by hash, nothing else runs): its print button, and
# the PIN the device put in the fragment (#pin=123456, never sent to the server) copied into
# the PIN slot and taken out of the address bar and the history.
PRINT_SCRIPT = (
    "document.getElementById('print').addEventListener('click',function(){window.print()});"
    "var m=/^#pin=([0-9]{6})$/.exec(location.hash),s=document.getElementById('pin');"
    "if(m&&s){s.textContent=m[1];s.className='pin';"
    "history.replaceState(null,'',location.pathname+location.search)}"
)


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def whatsapp_link(code: str, service_label: str, url: str, kabupaten: Kabupaten) -> str:
    message = (
        f"Permohonan {service_label} dengan kode {code} sudah dikirim ke Dukcapil "
        f"{kabupaten.short_name}. Cek statusnya di: {url} (layanan ini GRATIS)"
    )
    return "https://wa.me/?text=" + quote(message)


def render_receipt(detail: RequestDetail, layout: str) -> Response:
    request = detail.request
    if request.token is None:
        raise Conflict("Tanda terima tersedia setelah permohonan diajukan.")
    page_size = LAYOUTS.get(layout, "A4")
    svc = current_app.extensions["bakso"]
    view = svc.status.by_token(request.token)
    kabupaten = svc.tenants.of_desa(request.desa)
    url = status_url(request)
    submitted = next((e.at for e in detail.timeline if e.to_status.value == "DIAJUKAN"), None)
    html = render_template(
        "receipt.html",
        css=CSS,
        layout="thermal" if layout == "thermal" else "a4",
        page_size=page_size,
        code=request.code,
        service_label=view.service_label,
        name_masked=view.name_masked,
        desa_name=view.desa_name,
        desa_contact=svc.desa_contacts.public(request.desa),
        submitted_at=indonesian_date(submitted) if submitted else "-",
        next_step=view.next_step,
        status_url=url,
        qr_svg=segno.make(url, error="m").svg_inline(scale=4, border=2),
        whatsapp_url=whatsapp_link(request.code, view.service_label, url, kabupaten),
        free_notice=svc.status.texts.free_notice,
        report_intro=svc.status.texts.report_intro,
        lookup_url=lookup_url(),
        **kabupaten_context(svc.tenants, kabupaten),
        print_script=PRINT_SCRIPT,
        # The PIN is for downloading a printable document; a card is collected.
        pin_slot=detail.service.document == "printable",
        # Submitted without a PIN ({"pin": null}, an old device): none to point back to.
        has_pin=request.pin_hash is not None,
        notice=svc.downloads.notice(request),
    )
    page_style = f"@page {{ size: {page_size}; margin: 0 }}"
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src {_hash(CSS)} {_hash(page_style)}; img-src 'self' data:; "
        f"script-src {_hash(PRINT_SCRIPT)}; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
