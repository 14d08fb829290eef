"""The prefilled F-form of a request, to print and sign at the loket (#17 part 4)."""

from __future__ import annotations

from flask import Response

from ..common import actor, doc, services
from .views import bp

# The API's own policy (default-src 'none') also governs the browser's PDF viewer, which
# then cannot style its page (Chromium shows a sliver of the document). The PDF is ours
# and carries no script; framing, forms and base URLs stay refused.
PDF_CSP = "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


@bp.get("/<uuid:request_id>/formulir/<requirement>.pdf")
@doc(
    summary="The prefilled A4 form (F-2.01, F-1.01, F-1.03, ...) of a requirement the"
    " service's form fills, with the request's code and QR, to print and sign"
    " (409 until the request's fields are saved)",
    errors=(409,),
    media="application/pdf",
)
def printed_form(request_id: object, requirement: str) -> Response:
    form = services().printed_forms.render(actor(), str(request_id), requirement)
    response = Response(form.pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{form.filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = PDF_CSP
    return response
