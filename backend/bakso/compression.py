"""Responses compressed by the app itself, so the local server and Lambda are one code path.

Two halves (docs/deploy-aws.md, "Compression"):
- the PWA's build files are compressed once at build time (pwa/scripts/compress.mjs) and
  public/pwa.py sends the `.br` or `.gz` beside the file (`encoding_for` picks which);
- everything else that is text (JSON, problem+json, HTML pages, CSV) is compressed here
  on the fly by flask-compress when it is over ~1 KB and the client accepts br or gzip.

Not compressed: anything already carrying a Content-Encoding (the precompressed assets),
streamed bodies (exports, blob downloads: compressing them would buffer or re-stream
them), partial content (a Range answer's bytes are the identity's), the local blob
folder's downloads, and types that are compressed already (zip, pdf, jpeg, png are not
in the list). API Gateway's own compression is not used: it has no brotli and would
compress again what is compressed here.

A compressed answer's strong ETag gets the coding as a suffix (`"x"` → `"x:br"`), as bytes
differ per coding. Views compare If-None-Match with their own ETags (the sasaran worklist),
so the suffix is taken off what the client sends back before the view sees it, and a 304
echoes the tag the client holds.
"""

from __future__ import annotations

from flask import Flask, Request, Response, request
from flask_compress import Compress
from werkzeug.http import parse_etags, quote_etag

# Over this many bytes an answer is compressed: below it the saving is smaller than a
# TCP segment and not worth the CPU.
MIN_SIZE = 1024
# br first: on a tie in the client's q-values br wins, as for the precompressed assets.
CODINGS = ("br", "gzip")
MIMETYPES = [
    "application/json",
    "application/problem+json",
    "application/manifest+json",
    "application/javascript",
    "text/javascript",
    "text/html",
    "text/css",
    "text/plain",
    "text/csv",
    "image/svg+xml",
]
_SUFFIX_KEY = "bakso.etag_with_coding"


def encoding_for(req: Request) -> str | None:
    """The coding to send a precompressed file in: the client's best q-value, br on a tie."""
    best: tuple[float, str] | None = None
    for coding in CODINGS:
        quality = req.accept_encodings.quality(coding)  # `*` counts; `br;q=0` is a refusal
        if quality > 0 and (best is None or quality > best[0]):
            best = (quality, coding)
    return best[1] if best else None


class _Compress(Compress):
    def after_request(self, response: Response | None) -> Response:
        if response is None:
            return super().after_request(response)
        if response.status_code == 304:
            held: dict[str, str] = request.environ.get(_SUFFIX_KEY, {})
            etag, weak = response.get_etag()
            if etag and not weak and etag in held:
                response.set_etag(held[etag])
        if (
            response.status_code == 206
            or "Content-Range" in response.headers
            or request.path.startswith("/blobs/")
        ):
            return response
        coding = encoding_for(request)
        if coding is None:
            response.vary.add("Accept-Encoding")
            return response
        # flask-compress 1.25 would pick a coding the client refused (`br;q=0` alone, or
        # `br;q=0, *`): it is shown only the one chosen here, for this call.
        environ = request.environ
        asked = environ.get("HTTP_ACCEPT_ENCODING")
        environ["HTTP_ACCEPT_ENCODING"] = coding
        try:
            return super().after_request(response)
        finally:
            environ["HTTP_ACCEPT_ENCODING"] = asked


def _strip_coding_from_etags() -> None:
    """Let a view's own If-None-Match check see its ETag without the coding suffix."""
    header = request.environ.get("HTTP_IF_NONE_MATCH")
    if not header or ":" not in header:
        return
    held: dict[str, str] = {}
    for tag in parse_etags(header).as_set():
        base, _, coding = tag.rpartition(":")
        if base and coding in CODINGS:
            held[base] = tag
    if held:
        request.environ[_SUFFIX_KEY] = held
        request.environ["HTTP_IF_NONE_MATCH"] = ", ".join(
            [header, *(quote_etag(base) for base in held)]
        )
        request.__dict__.pop("if_none_match", None)  # a cached_property, if read already


def init_compression(app: Flask) -> None:
    app.config.update(
        COMPRESS_ALGORITHM=list(CODINGS),
        COMPRESS_MIMETYPES=MIMETYPES,
        COMPRESS_MIN_SIZE=MIN_SIZE,
        COMPRESS_STREAMS=False,
        COMPRESS_LEVEL=6,  # gzip
        COMPRESS_BR_LEVEL=5,  # fast enough per request on Lambda; the build uses 11
    )
    app.before_request(_strip_coding_from_etags)
    _Compress(app)
