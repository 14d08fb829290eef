"""WhatsApp Business Cloud API over HTTPS (urllib: no HTTP library at run time).

A message a business starts outside the resident's 24-hour window must be an approved
template, so every message is one: WHATSAPP_TEMPLATE, in Indonesian, whose body has one
parameter that carries our text (docs/notifications.md). The token, the number and the
text are never logged: only HTTP statuses and the API's numeric error codes.
"""

from __future__ import annotations

import http.client
import json
import logging
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from typing import Any

from ..ports import Notifier, SendFailed, SentMessage

log = logging.getLogger(__name__)

LANGUAGE = "id"
ATTEMPTS = 3
BACKOFF_SECONDS = (1.0, 4.0)  # waits before the 2nd and 3rd attempts
TIMEOUT_SECONDS = 10.0
# Graph API error codes that mean "slow down", though some come with HTTP 400:
# API rate limits (4, 80007, 130429), spam rate limit (131048), pair rate limit (131056).
THROTTLING_CODES = frozenset({4, 80007, 130429, 131048, 131056})
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")

Opener = Callable[[urllib.request.Request, float], Any]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """urllib would follow a redirect with the Authorization header, to any host."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 3xx surfaces as an HTTPError: a refusal


_OPENER = urllib.request.build_opener(_NoRedirect)


def _open(request: urllib.request.Request, timeout: float) -> Any:
    return _OPENER.open(request, timeout=timeout)


class WhatsAppNotifier(Notifier):
    """Retries a 5xx, a 429 (or a rate-limit code), a timeout or a refused connection
    `attempts` times, `backoff` seconds apart, then raises SendFailed(transient=True)
    for the queue to retry later; any other 4xx is SendFailed(transient=False).

    A retried request the API had in fact taken (a timeout after it sent) is sent twice:
    the Cloud API has no idempotency key. `sent` is [] and `forget` does nothing: Meta
    keeps its own records of what it delivered.
    """

    channel = "whatsapp"

    def __init__(
        self,
        *,
        api_url: str,
        phone_number_id: str,
        token: str,
        template: str,
        attempts: int = ATTEMPTS,
        backoff: Sequence[float] = BACKOFF_SECONDS,
        timeout: float = TIMEOUT_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
        opener: Opener = _open,
    ) -> None:
        if not api_url.startswith(("https://", "http://")):
            raise ValueError("the WhatsApp API's address must be http(s)")
        self._url = f"{api_url.rstrip('/')}/{phone_number_id}/messages"
        self._token = token
        self._template = template
        self._attempts = max(attempts, 1)
        self._backoff = list(backoff)
        self._timeout = timeout
        self._sleep = sleep
        self._open = opener

    def __repr__(self) -> str:  # the token stays out of tracebacks and debuggers' views
        return f"WhatsAppNotifier(template={self._template!r})"

    def payload(self, to: str, text: str) -> dict[str, Any]:
        # A template parameter may hold no newline, no tab and no run of 5 spaces: the API
        # refuses the whole message (code 132018), so they become single spaces here.
        text = " ".join(text.split())
        return {
            "messaging_product": "whatsapp",
            "to": to.removeprefix("+"),
            "type": "template",
            "template": {
                "name": self._template,
                "language": {"code": LANGUAGE},
                "components": [{"type": "body", "parameters": [{"type": "text", "text": text}]}],
            },
        }

    def send(self, *, to: str, text: str, key: str, request_id: str | None) -> None:
        if not _E164.fullmatch(to):
            raise SendFailed("not an E.164 number", transient=False)
        body = json.dumps(self.payload(to, text), ensure_ascii=False).encode()
        last = "no attempt"
        for attempt in range(1, self._attempts + 1):
            if attempt > 1:
                self._sleep(self._delay(attempt - 2))
            outcome = self._post(body)
            if outcome is None:
                return
            last, transient = outcome
            log.warning(
                "whatsapp send failed: %s (attempt %d of %d)", last, attempt, self._attempts
            )
            if not transient:
                raise SendFailed(f"WhatsApp {last}", transient=False)
        raise SendFailed(f"WhatsApp {last}", transient=True)

    def _delay(self, index: int) -> float:
        if not self._backoff:
            return 0.0
        return self._backoff[min(index, len(self._backoff) - 1)]

    def _post(self, body: bytes) -> tuple[str, bool] | None:
        """None when the API took the message; else (what failed, whether transient)."""
        request = urllib.request.Request(  # noqa: S310 - http(s) only, checked in __init__
            self._url,
            data=body,
            method="POST",
            headers={
                "Authorization": f"Bearer {self._token}",
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )
        try:
            with self._open(request, self._timeout) as response:
                response.read()
            return None
        except urllib.error.HTTPError as error:
            status = error.code
            with error:
                code = _error_code(error)
            what = f"HTTP {status}" + (f" code {code}" if code is not None else "")
            transient = status >= 500 or status == 429 or code in THROTTLING_CODES
            return what, transient
        except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
            reason = getattr(error, "reason", error)
            return f"unreachable: {type(reason).__name__}", True

    def sent(self, *, limit: int = 100) -> list[SentMessage]:
        return []

    def forget(self, request_id: str) -> None:
        """Nothing kept here to erase (see the class's docstring)."""


def _error_code(error: urllib.error.HTTPError) -> int | None:
    """The Graph API's numeric `error.code`, if the answer carries one (never its message,
    which may quote the number)."""
    try:
        data = json.loads(error.read(64 * 1024) or b"{}")
    except (ValueError, OSError):
        return None
    found = data.get("error") if isinstance(data, dict) else None
    code = found.get("code") if isinstance(found, dict) else None
    return code if isinstance(code, int) and not isinstance(code, bool) else None
