"""Requests (permohonan): drafts, scans, submission, transitions. Thin: parse, call, serialize."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, redirect, request
from werkzeug.wrappers import Response as WerkzeugResponse

from ...domain.lifecycle import LABELS
from ...domain.model import Draft
from ...ports import UploadTarget
from ...public.receipt import render_receipt
from ...schemas import (
    DraftIn,
    IssuedIn,
    RequestOut,
    RequestPageOut,
    ScanCompletedOut,
    ScanIn,
    ScanRegisteredOut,
)
from ...services.request_search import COUNT_CAP
from ..common import absolute, actor, doc, parse, query, services, upload_json
from ..queries import ReceiptQuery, RequestCountsQuery, RequestListQuery
from ..serializers import request_out, scan_out
from .handover_schemas import HandoverPhotoIn, TransitionIn
from .pin_schemas import PinOut, SubmitIn
from .schemas import RequestCountsOut

bp = Blueprint("requests", __name__, url_prefix="/requests")


@bp.put("/<uuid:request_id>")
@doc(
    summary="Create or update a draft, keyed by the device's UUID (idempotent)",
    body=DraftIn,
    response=RequestOut,
    status=201,
    also=(200,),  # an update, or a replay of the create
)
def put_request(request_id: object) -> tuple[Response, int]:
    draft = _draft(parse(DraftIn))
    svc = services().requests
    saved, created = svc.upsert_draft(actor(), str(request_id), draft)
    return jsonify(request_out(saved, svc.describe(saved))), 201 if created else 200


def _draft(body: DraftIn) -> Draft:
    """The validated body as the service takes it: plain values, dates as ISO text."""
    return Draft(
        service=body.service,
        desa=body.desa,
        applicant=body.applicant.model_dump(mode="json"),
        subject=body.subject.model_dump(mode="json") if body.subject else None,
        notes=body.notes,
        version=body.version,
        sasaran_id=body.sasaran_id,
        jemput_bola=body.jemput_bola,
        fields=body.fields,
    )


@bp.get("")
@doc(
    summary="List requests, newest first (operators: own desa only);"
    " ?status=&desa=&kecamatan=&service=&older_than_days=&q=&cursor=",
    query=RequestListQuery,
    response=RequestPageOut,
)
def list_requests() -> Response:
    q = query(RequestListQuery)
    page = services().requests.list_requests(
        actor(),
        status=q.status,
        desa=q.desa,
        cursor=q.cursor,
        limit=q.limit,
        kecamatan=q.kecamatan,
        service=q.service,
        older_than_days=q.older_than_days,
        q=q.q,
    )
    retention = services().retention
    items = [request_out(r, retention=retention.note(r)) for r in page.items]
    return jsonify({"items": items, "cursor": page.cursor})


@bp.get("/counts")
@doc(
    summary="How many requests wait in each open status, and for over 7 / 14 days"
    " (operators: own desa); each status read up to a cap",
    query=RequestCountsQuery,
    response=RequestCountsOut,
)
def request_counts() -> Response:
    q = query(RequestCountsQuery)
    counts = services().requests.counts(
        actor(), desa=q.desa, kecamatan=q.kecamatan, service=q.service
    )
    items = [
        {
            "status": c.status.value,
            "label": LABELS[c.status],
            "count": c.count,
            "older_than_7": c.older[7],
            "older_than_14": c.older[14],
            "capped": c.capped,
        }
        for c in counts
    ]
    return jsonify({"items": items, "cap": COUNT_CAP})


@bp.get("/<uuid:request_id>")
@doc(summary="A request with its scans, requirements and timeline", response=RequestOut)
def get_request(request_id: object) -> Response:
    detail = services().requests.detail(actor(), str(request_id))
    note = services().retention.note(detail.request)
    return jsonify(request_out(detail.request, detail, note))


@bp.post("/<uuid:request_id>/scans")
@doc(
    summary="Register a scan and get a short-lived upload URL",
    body=ScanIn,
    response=ScanRegisteredOut,
    status=201,
)
def register_scan(request_id: object) -> tuple[Response, int]:
    body = parse(ScanIn)
    scan, target = services().requests.register_scan(
        actor(),
        str(request_id),
        requirement=body.requirement,
        sha256=body.sha256,
        size=body.size,
        content_type=body.content_type,
        replaces=body.replaces,
        quality=tuple(body.quality),
    )
    upload = upload_json(target)
    return jsonify({"scan_id": scan.id, "state": scan.state, "upload": upload}), 201


@bp.post("/<uuid:request_id>/scans/<scan_id>/complete")
@doc(summary="Check an uploaded scan (size, SHA-256, real type)", response=ScanCompletedOut)
def complete_scan(request_id: object, scan_id: str) -> Response:
    scan = services().requests.complete_scan(actor(), str(request_id), scan_id)
    return jsonify({"status": "ok", "scan": scan_out(scan)})


@bp.delete("/<uuid:request_id>/scans/<scan_id>")
@doc(summary="Remove a scan from a draft (idempotent)", status=204)
def delete_scan(request_id: object, scan_id: str) -> tuple[str, int]:
    services().requests.delete_scan(actor(), str(request_id), scan_id)
    return "", 204


@bp.get("/<uuid:request_id>/scans/<scan_id>")
@doc(summary="Redirect to a short-lived download URL of the scan", status=302)
def download_scan(request_id: object, scan_id: str) -> WerkzeugResponse:
    url = services().requests.scan_download_url(actor(), str(request_id), scan_id)
    return redirect(absolute(url), code=302)


@bp.post("/<uuid:request_id>/submit")
@doc(
    summary=(
        "Send the request to Dukcapil (refused while its service's form does not pass"
        " or a mandatory document is missing); the optional body brings the resident's PIN"
    ),
    body=SubmitIn,
    response=RequestOut,
)
def submit(request_id: object) -> Response:
    # An empty body (older devices) submits without a PIN; a body is checked as any other.
    pin = parse(SubmitIn).pin if request.get_data() else None
    svc = services().requests
    submitted = svc.submit(actor(), str(request_id), pin)
    return jsonify(request_out(submitted, svc.describe(submitted)))


@bp.post("/<uuid:request_id>/pin")
@doc(
    summary=(
        "Desa: a new download PIN for the resident (the old one stops working);"
        " shown once, never stored in clear"
    ),
    response=PinOut,
    status=201,
)
def new_pin(request_id: object) -> tuple[Response, int]:
    pin = services().requests.new_pin(actor(), str(request_id))
    return jsonify(PinOut(pin=pin).model_dump(mode="json")), 201


@bp.post("/<uuid:request_id>/transition")
@doc(
    summary="Move a request in its lifecycle (role-checked, optimistic locking)",
    body=TransitionIn,
    response=RequestOut,
)
def transition(request_id: object) -> Response:
    body = parse(TransitionIn)
    svc = services().requests
    moved = svc.transition(
        actor(),
        str(request_id),
        to=body.to,
        note=body.note,
        version=body.version,
        handover=body.handover.model_dump(mode="json") if body.handover else None,
    )
    return jsonify(request_out(moved, svc.describe(moved)))


@bp.get("/<uuid:request_id>/receipt")
@doc(
    summary="Printable receipt (tanda terima), ?layout=a4|thermal, with the status QR",
    query=ReceiptQuery,
)
def receipt(request_id: object) -> Response:
    layout = query(ReceiptQuery).layout
    detail = services().requests.detail(actor(), str(request_id))
    return render_receipt(detail, layout)


@bp.get("/<uuid:request_id>/berkas")
@doc(summary="Redirect to the printable berkas.pdf the worker built", status=302)
def berkas(request_id: object) -> WerkzeugResponse:
    url = services().requests.berkas_download_url(actor(), str(request_id))
    return redirect(absolute(url), code=302)


@bp.post("/<uuid:request_id>/issued")
@doc(
    summary="Dukcapil: register the issued document (PDF) and get an upload URL",
    body=IssuedIn,
    response=ScanRegisteredOut,
    status=201,
)
def register_issued(request_id: object) -> tuple[Response, int]:
    body = parse(IssuedIn)
    target = services().requests.register_issued(
        actor(), str(request_id), sha256=body.sha256, size=body.size, content_type=body.content_type
    )
    return _registered("issued", target)


def _registered(scan_id: str, target: UploadTarget | None) -> tuple[Response, int]:
    """The answer to registering a single file of a request (issued PDF, handover photo)."""
    upload = upload_json(target)
    return jsonify(
        {"scan_id": scan_id, "state": "ok" if upload is None else "pending", "upload": upload}
    ), 201


@bp.post("/<uuid:request_id>/issued/complete")
@doc(summary="Dukcapil: check the uploaded issued document", response=RequestOut)
def complete_issued(request_id: object) -> Response:
    svc = services().requests
    done = svc.complete_issued(actor(), str(request_id))
    return jsonify(request_out(done, svc.describe(done)))


@bp.get("/<uuid:request_id>/issued")
@doc(summary="Redirect to a short-lived URL of the issued document (audited)", status=302)
def download_issued(request_id: object) -> WerkzeugResponse:
    url = services().requests.issued_download_url(actor(), str(request_id))
    return redirect(absolute(url), code=302)


@bp.post("/<uuid:request_id>/handover-photo")
@doc(
    summary="Desa: register the photo of the signed handover receipt and get an upload URL",
    body=HandoverPhotoIn,
    response=ScanRegisteredOut,
    status=201,
)
def register_handover_photo(request_id: object) -> tuple[Response, int]:
    body = parse(HandoverPhotoIn)
    target = services().requests.register_handover_photo(
        actor(), str(request_id), sha256=body.sha256, size=body.size, content_type=body.content_type
    )
    return _registered("handover", target)


@bp.get("/<uuid:request_id>/handover-photo")
@doc(summary="Redirect to a short-lived URL of the handover receipt's photo", status=302)
def download_handover_photo(request_id: object) -> WerkzeugResponse:
    url = services().requests.handover_photo_url(actor(), str(request_id))
    return redirect(absolute(url), code=302)
