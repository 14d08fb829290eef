"""The capacity model of docs/capacity.md: what one kabupaten, one province and all of
Indonesia ask of each AWS service at the morning peak, and what it costs a month.

Pure arithmetic over named assumptions, so the document's table can be made again when an
assumption changes (`python -m bench.capacity` prints it as Markdown). The per-request
operation counts are measured, not guessed: `bench/load.py` runs requests through the AWS
adapter set on moto and counts DynamoDB, S3 and SQS calls (moto's speed means nothing;
its counts are what AWS would bill and throttle).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    kabupaten: int
    desa: int
    requests_per_year: int


# DESIGN's figures: Lombok Timur ~400 requests a working day; NTB has 10 kabupaten/kota;
# Indonesia ≈ 84,000 desa/kelurahan and ≈ 33 million requests a year.
SCALES = (
    Scale("Lombok Timur (1 kabupaten)", 1, 254, 400 * 250),
    Scale("NTB (10 kabupaten/kota)", 10, 1_166, 400_000),  # Lombok Timur × 4 (population)
    Scale("Indonesia", 514, 83_762, 33_000_000),
)


@dataclass(frozen=True)
class Assumptions:
    working_days: int = 250  # desa offices: Monday–Friday, minus holidays
    peak_share: float = 0.4  # of a day's requests in the morning peak ...
    peak_hours: float = 2.0  # ... 08:00–10:00 local time (three zones: taken as one)
    scans_per_request: int = 3
    scan_bytes: int = 300 * 1024  # what the PWA sends (DESIGN §6: ≤ 350 KB)
    berkas_bytes: int = 1_000 * 1024  # the printable file the worker makes per request
    # Per request, login to verified (measured by bench/load.py §10 on moto, 2026-12-01,
    # after the keys by kabupaten: 50 desa in NTB's 10 kabupaten × 1 request × 3 scans):
    dynamo_writes: int = 109  # write units, every index partition a write changes included
    dynamo_reads: int = 39  # read units
    audit_head_writes: int = 12  # the chain's head item (AUDIT/HEAD): one per audited write
    kabupaten_key_writes: int = 6  # busiest per-kabupaten key: kind_kabupaten-newest
    # Busiest deployment-wide key a request writes: none since the keys by kabupaten (#16;
    # retention-due "scan" took 6). Accounts (USERS) are read, ~3 RCU per request.
    constant_key_writes: int = 0
    lambda_web_calls: int = 12  # HTTP calls of the device and the officer
    lambda_worker_calls: int = 3  # verification, batch step, mark received
    web_ms: float = 120  # average duration of a web call
    worker_ms: float = 4_000  # verification with berkas.pdf (bench §7 on 2 cores)
    retention_days: int = 365  # scans and berkas kept until the request is final + this
    # Prices (ap-southeast-3, on-demand, USD; check the AWS price list before budgeting).
    usd_per_million_writes: float = 1.4
    usd_per_million_reads: float = 0.28
    usd_per_gb_month_dynamo: float = 0.28
    usd_per_gb_month_s3: float = 0.025
    usd_per_thousand_puts: float = 0.0055
    usd_per_gb_second: float = 0.0000166667
    usd_per_million_lambda: float = 0.20
    # Per-partition limits the model compares with.
    partition_wcu: int = 1_000
    partition_rcu: int = 3_000
    chain_appends_per_second: int = 40  # one head item, ~25 ms per conditional transaction


def peak_requests_per_second(scale: Scale, a: Assumptions) -> float:
    per_day = scale.requests_per_year / a.working_days
    return per_day * a.peak_share / (a.peak_hours * 3600)


def rows(a: Assumptions = Assumptions()) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for scale in SCALES:
        rps = peak_requests_per_second(scale, a)
        per_kab = rps / scale.kabupaten
        wcu = rps * a.dynamo_writes
        rcu = rps * a.dynamo_reads
        audit = rps * a.audit_head_writes
        month_requests = scale.requests_per_year / 12
        stored_gb = (
            scale.requests_per_year
            * (a.scans_per_request * a.scan_bytes + a.berkas_bytes)
            * a.retention_days
            / 365
            / 1024**3
        )
        web_gbs = month_requests * a.lambda_web_calls * a.web_ms / 1000 * 0.5
        worker_gbs = month_requests * a.lambda_worker_calls * a.worker_ms / 1000 * 1.0
        cost = (
            month_requests * a.dynamo_writes / 1e6 * a.usd_per_million_writes
            + month_requests * a.dynamo_reads / 1e6 * a.usd_per_million_reads
            + stored_gb * a.usd_per_gb_month_s3
            + month_requests * a.scans_per_request / 1000 * a.usd_per_thousand_puts
            + (web_gbs + worker_gbs) * a.usd_per_gb_second
            + month_requests
            * (a.lambda_web_calls + a.lambda_worker_calls)
            / 1e6
            * a.usd_per_million_lambda
        )
        concurrency = math.ceil(
            rps * (a.lambda_web_calls * a.web_ms + a.lambda_worker_calls * a.worker_ms) / 1000
        )
        out.append(
            (
                scale.name,
                f"{rps:.2f}",
                f"{wcu:.0f} / {rcu:.0f}",
                f"{audit:.2f} (one per kabupaten: {audit / scale.kabupaten:.2f})",
                f"{per_kab * a.kabupaten_key_writes:.2f}",
                f"{rps * a.constant_key_writes:.1f}",
                f"{concurrency}",
                f"{rps * a.scans_per_request:.1f}",
                f"{stored_gb:,.0f} GB",
                f"{cost:,.0f}",
            )
        )
    return out


HEADER = (
    "scale",
    "requests/s at peak",
    "DynamoDB WCU/s / RCU/s",
    "audit head writes/s: one chain (one per kabupaten)",
    "busiest kabupaten key WCU/s",
    "busiest constant key WCU/s",
    "Lambda concurrency",
    "S3 PUT/s",
    "S3 stored",
    "USD/month",
)


def markdown(a: Assumptions = Assumptions()) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row) + " |" for row in rows(a)]
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown())
