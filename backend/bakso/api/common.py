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
from ..domain.model import Actor, User
from ..ports import UploadTarget

M = TypeVar("M", bound=BaseModel)
F = TypeVar("F", bound=Callable[..., Any])

PROBLEM_TYPE = "application/problem+json"


class SessionUser(UserMixin):  # type: ignore[misc]
    """The Flask-Login view of an officer. The id carries the session epoch, so a
    password reset or a disabled account ends every existing session."""

    def __init__(self, user: User) -> None:
        self.user = user

    def get_id(self) -> str:
        return f"{self.user.username}|{self.user.session_epoch}"


def services() -> Services:
    svc: Services = current_app.extensions["bakso"]
    return svc


def actor() -> Actor:
    if not current_user.is_authenticated:
        raise NotAuthenticated("Silakan masuk terlebih dahulu.")
    user: User = current_user.user
    return Actor(user.username, user.role, user.desa)


def int_arg(name: str, default: int) -> int:
    """A whole-number query parameter (`?limit=20`); 422 when it is not one."""
    try:
        return int(request.args.get(name, default))
    except ValueError:
        raise InvalidInput(f"Parameter {name} harus angka.") from None


def parse(model: type[M]) -> M:
    """Validate the JSON body against `model`; a bad body changes nothing and says why."""
    if not request.is_json:
        raise InvalidInput("Kirim data sebagai JSON (Content-Type: application/json).")
    try:
        return model.model_validate_json(request.get_data())
    except ValidationError as exc:
        errors = [
            {"field": ".".join(str(p) for p in err["loc"]), "message": err["msg"]}
            for err in exc.errors(include_url=False, include_input=False)
        ]
        fields = ", ".join(e["field"] or "body" for e in errors)
        raise InvalidInput(f"Data tidak valid pada: {fields}.", errors=errors) from None


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
    response: type[BaseModel] | None = None,
    status: int = 200,
    public: bool = False,
) -> Callable[[F], F]:
    """Describe a view for the OpenAPI document; `body` is also what the view parses."""

    def mark(view: F) -> F:
        view.openapi = {  # type: ignore[attr-defined]
            "summary": summary,
            "body": body,
            "response": response,
            "status": status,
            "public": public,
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
