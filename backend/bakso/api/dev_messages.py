"""The developer's page of the local notifier's messages (docs/notifications.md).

Registered only with NOTIFIER=local on the local adapter set (bakso/__init__.py): nothing
leaves the machine there, so this page is where a developer reads what a resident would
have received. The messages hold phone numbers, so an admin's session is required and
nothing is cached.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template_string
from flask_login import current_user

from ..domain.lifecycle import Role
from .common import services

bp = Blueprint("dev_messages", __name__)

NO_STORE = "no-store"
CSP = "default-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"

_PAGE = """<!doctype html>
<html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Pesan lokal (pengembang)</title></head>
<body>
<h1>Pesan lokal</h1>
<p>Untuk pengembang: pesan yang akan diterima warga, disimpan oleh notifier lokal
(BAKSO_NOTIFIER=local). Tidak ada yang dikirim keluar.</p>
{% if messages %}
<table>
<thead><tr><th>Waktu (UTC)</th><th>Nomor</th><th>Kunci</th><th>Isi</th><th>Panjang</th></tr></thead>
<tbody>
{% for m in messages %}
<tr><td>{{ m.at }}</td><td>{{ m.to }}</td><td>{{ m.key }}</td><td>{{ m.text }}</td>
<td>{{ m.text|length }}</td></tr>
{% endfor %}
</tbody></table>
{% else %}
<p>Belum ada pesan.</p>
{% endif %}
</body></html>
"""


def _answer(body: str, status: int) -> Response:
    response = Response(body, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = NO_STORE
    response.headers["Content-Security-Policy"] = CSP
    return response


@bp.get("/dev/pesan")
def messages() -> Response:
    if not current_user.is_authenticated:
        return _answer("<!doctype html><p>Silakan masuk sebagai admin terlebih dahulu.</p>", 401)
    if current_user.user.role is not Role.ADMIN:
        return _answer("<!doctype html><p>Hanya admin yang dapat melihat halaman ini.</p>", 403)
    sent = services().notifications.sent(200)
    return _answer(render_template_string(_PAGE, messages=sent), 200)
