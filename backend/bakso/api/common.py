"""What every API view shares: the current officer, parsing bodies, problem+json, docs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urljoin

from flask import Response, current_app, jsonify, request
from flask_login import UserMixin, current_user
from pydantic import BaseModel, ValidationError

from ..bootstrap import Services
from ..domain.errors import InvalidInput, NotAuthenticated
from ..domain.lifecycle import Role
from ..domain.model import Actor, User
from ..domain.regions import kabupaten_of
from ..ports import UploadTarget

M = TypeVar("M", bound=BaseModel)
F = TypeVar("F", bound=Callable[..., Any])

PROBLEM_TYPE = "application/problem+json"


class SessionUser(UserMixin):  # type: ignore[misc]
    """The Flask-Login view of an officer. Its id is the server-side session's random
    id (services/sessions.py), which every request resolves again, so logout,
    a password reset, disabling or "end all sessions" end it everywhere."""

    def __init__(self, user: User, session_id: str) -> None:
        self.user = user
        self.session_id = session_id

    def get_id(self) -> str:
        return self.session_id


def services() -> Services:
    svc: Services = current_app.extensions["bakso"]
    return svc


def actor() -> Actor:
    if not current_user.is_authenticated:
        raise NotAuthenticated("Silakan masuk terlebih dahulu.")
    user: User = current_user.user
    return actor_of(user, services().tenants.default.code)


def actor_of(user: User, default_kabupaten: str) -> Actor:
    """Who a logged-in account acts as (#16): an operator for its desa; Dukcapil staff for
    their kabupaten (accounts from before #16 name none: the deployment's default); the
    province role for its province."""
    if user.role is Role.OPERATOR:
        kabupaten = kabupaten_of(user.desa) if user.desa else None
    elif user.role is Role.PROVINSI:
        kabupaten = None
    else:
        kabupaten = user.kabupaten or default_kabupaten
    return Actor(user.username, user.role, user.desa, kabupaten=kabupaten, provinsi=user.provinsi)


# Errors of our own validators, whose message is already Indonesian: shown in the detail.
_SAID_IN_INDONESIAN = frozenset({"control_character"})


def download(body: Any, mimetype: str, filename: str) -> Response:
    """A file the officer saves (an export, a report): never cached on the way."""
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def parse(model: type[M]) -> M:
    """Validate the JSON body against `model`; a bad body changes nothing and says why."""
    if not request.is_json:
        raise InvalidInput("Kirim data sebagai JSON (Content-Type: application/json).")
    try:
        return model.model_validate_json(request.get_data())
    except ValidationError as exc:
        raise _invalid(exc, "Data tidak valid pada") from None


def query(model: type[M]) -> M:
    """Validate the query string against `model` (api/queries.py), as `parse` does a body.

    An empty value (`?cursor=`) is as if the parameter were absent; a repeated one counts
    once (its first value). A bad value is a 422 naming the parameter, never a 500.
    """
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "openapi", {}).get("query") is not model:
        # A programming error, caught by the tests: the document must show these parameters.
        raise RuntimeError(f"{request.endpoint}: declare doc(query={model.__name__})")
    values = {key: value for key, value in request.args.items() if value.strip()}
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise _invalid(exc, "Parameter tidak valid") from None


# Each field's problem in Indonesian words, by pydantic's error type (its own text is
# English); a type not listed gets the general one.
_FIELD_MESSAGES = {
    "missing": "wajib diisi",
    "extra_forbidden": "tidak dikenal",
    "string_too_long": "terlalu panjang (paling banyak {max_length} karakter)",
    "string_too_short": "terlalu pendek (paling sedikit {min_length} karakter)",
    "string_pattern_mismatch": "bentuknya tidak sesuai",
    "string_type": "harus berupa teks",
    "int_type": "harus berupa bilangan bulat",
    "int_parsing": "harus berupa bilangan bulat",
    "bool_type": "harus benar atau salah (true/false)",
    "bool_parsing": "harus benar atau salah (true/false)",
    "greater_than_equal": "paling kecil {ge}",
    "less_than_equal": "paling besar {le}",
    "greater_than": "harus lebih dari {gt}",
    "less_than": "harus kurang dari {lt}",
    "literal_error": "harus salah satu dari: {expected}",
    "enum": "harus salah satu dari: {expected}",
    "uuid_parsing": "bukan UUID yang sah",
    "uuid_type": "bukan UUID yang sah",
    "datetime_parsing": "bukan tanggal dan waktu yang sah",
    "datetime_from_date_parsing": "bukan tanggal dan waktu yang sah",
    "date_parsing": "bukan tanggal yang sah",
    "list_type": "harus berupa daftar",
    "dict_type": "harus berupa objek",
    "model_type": "harus berupa objek",
    "too_long": "terlalu banyak isi",
    "too_short": "terlalu sedikit isi",
    "json_invalid": "JSON tidak dapat dibaca",
}


def _field_message(err: Any) -> str:
    if err["type"] in _SAID_IN_INDONESIAN:
        return str(err["msg"])
    template = _FIELD_MESSAGES.get(err["type"], "nilainya tidak valid")
    try:
        return template.format(**(err.get("ctx") or {}))
    except (KeyError, IndexError):
        return "nilainya tidak valid"


def _invalid(exc: ValidationError, lead: str) -> InvalidInput:
    errors = [
        {
            "field": ".".join(str(p) for p in err["loc"]),
            "message": _field_message(err),
            "type": err["type"],
        }
        for err in exc.errors(include_url=False, include_input=False)
    ]
    named = ", ".join(
        (e["field"] or "body") + (f" ({e['message']})" if e["type"] in _SAID_IN_INDONESIAN else "")
        for e in errors
    )
    for e in errors:
        del e["type"]
    return InvalidInput(f"{lead}: {named}.", errors=errors)


def problem(status: int, title: str, detail: str, **extra: Any) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_TYPE
    return response


def doc(
    *,
    summary: str,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    also: tuple[int, ...] = (),
    errors: tuple[int, ...] = (),
    public: bool = False,
    media: str | None = None,
) -> Callable[[F], F]:
    """Describe a view for the OpenAPI document; `body` and `query` are also what it parses.

    `status` is its usual answer and `also` its other successes (200 for a replayed
    create, 304); the problem statuses that follow from the rest (401/403 unless public,
    404 with a path parameter, 413/422 with a body, ...) are added by api/meta, `errors`
    adds any other (429). `media` names the type of a success that is a file, not JSON
    (`application/pdf`).
    """

    def mark(view: F) -> F:
        view.openapi = {  # type: ignore[attr-defined]
            "summary": summary,
            "body": body,
            "query": query,
            "response": response,
            "status": status,
            "also": also,
            "errors": errors,
            "public": public,
            "media": media,
        }
        return view

    return mark


def absolute(url: str) -> str:
    # Local signed URLs are paths on this server; S3's are already absolute.
    return urljoin(request.host_url, url)


def upload_json(target: UploadTarget | None) -> dict[str, Any] | None:
    """Where the device sends bytes, as the API shows it; None when nothing is to be sent."""
    if target is None:
        return None
    return {
        "method": target.method,
        "url": absolute(target.url),
        "headers": target.headers,
        "fields": target.fields,
    }
