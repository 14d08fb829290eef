"""Shapes of the request counts on Dukcapil's desk (services/request_search.py)."""

from __future__ import annotations

from pydantic import Field

from ...schemas import Out


class StatusCountOut(Out):
    status: str
    label: str
    count: int = Field(description="requests in this status (at most the cap read)")
    older_than_7: int = Field(description="of them, in this status for more than 7 days")
    older_than_14: int = Field(description="of them, in this status for more than 14 days")
    capped: bool = Field(description="the count stopped at the cap: read it as 'at least'")


class RequestCountsOut(Out):
    items: list[StatusCountOut]
    cap: int
