"""Shapes of the resident's download PIN on the desa's side (docs/resident-download.md)."""

from __future__ import annotations

from pydantic import Field

from ...schemas import In, Out


class SubmitIn(In):
    """The optional body of a submit: the PIN the device made at "Kirim" (an empty body, as
    older devices send, submits without one)."""

    pin: str | None = Field(
        default=None, pattern=r"^[0-9]{6}$", description="6 digits; kept as a hash only"
    )


class PinOut(Out):
    pin: str = Field(description="the new PIN, shown once: print it on the new slip")
