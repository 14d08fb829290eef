"""Wiring: the one place that picks an adapter set from configuration."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher

from .bootstrap_adapters import build_adapters, xlsx_limits
from .bootstrap_ikm import IkmService, IkmStore, attach_ikm
from .bootstrap_layanan import ServiceTimeService, attach_ikm_grades, build_service_times
from .bootstrap_notify import build_notifications, utc_now
from .bootstrap_reports import ReportService, build_reports, forget_with
from .domain import localtime
from .domain.audit_chain import AuditKeys
from .domain.catalog import Catalog
from .domain.catalog_changes import CatalogError, apply_changes
from .domain.forms import Forms, FormsError, load_forms
from .domain.regions import Regions
from .domain.resident import StatusTexts
from .domain.retention import RetentionPolicy
from .domain.tenants import TenantError, Tenants
from .domain.tenants import folders as tenant_folders
from .domain.unpacking import ZipLimits
from .ports import Blobs, Notifier, Queue, Records, SasaranStore
from .services.accounts import AccountService, LoginPolicy
from .services.audit import AuditService
from .services.batches import BatchService, BatchSettings
from .services.coverage import CoverageService
from .services.dead_letters import DeadLetterService
from .services.desa_contacts import DesaContactService
from .services.form_definitions import served_forms
from .services.local_blobs import LocalBlobService, SignedUrlBlobs
from .services.notifications import NotificationService
from .services.printed_forms import PrintedFormService
from .services.requests import RequestService, RequestSettings
from .services.resident_download import ResidentDownloads, build_downloads
from .services.retention import RetentionService
from .services.retention_files import FileRetentionService, FileRetentionSettings
from .services.returns import ReturnService, ReturnSettings
from .services.sasaran import SasaranService, SasaranSettings
from .services.sessions import SessionPolicy, SessionService
from .services.status import StatusService
from .services.throttle import Throttle, ThrottlePolicy
from .services.user_cache import UserCache

PACKAGE_DATA = Path(__file__).parent / "data"


def build_tenants(config: Mapping[str, Any]) -> Tenants:
    """The kabupaten the deployment serves (KABUPATEN, KABUPATEN_DIRS; domain/tenants.py)."""
    from .config import ConfigError

    try:
        return Tenants.from_folders(
            tenant_folders(config.get("KABUPATEN") or (), config.get("KABUPATEN_DIRS") or ())
        )
    except TenantError as exc:
        raise ConfigError(f"BAKSO_KABUPATEN / BAKSO_KABUPATEN_DIRS: {exc}") from None


def build_catalog(config: Mapping[str, Any], tenants: Tenants) -> Catalog:
    """The default kabupaten's catalog, knowing each kabupaten's (`catalog_for`): the
    packaged one as its folder's catalog.json changes it (domain/catalog_changes.py)."""
    from .config import ConfigError

    base = Catalog.from_json(Path(config.get("CATALOG_FILE") or PACKAGE_DATA / "catalog.json"))
    own: dict[str, Catalog] = {}
    for kabupaten in tenants:
        changes = kabupaten.catalog_file
        try:
            own[kabupaten.code] = (
                apply_changes(base, changes) if changes else Catalog(base.services())
            )
        except CatalogError as exc:
            raise ConfigError(f"BAKSO_KABUPATEN / BAKSO_KABUPATEN_DIRS: {exc}") from None
    return own[tenants.default.code].with_variants(own)


def build_forms(config: Mapping[str, Any]) -> Forms:
    """The form definitions (data/forms.json, docs/forms.md), checked against the packaged
    catalog: a typo in the data refuses to start rather than misjudge a request."""
    from .config import ConfigError

    catalog = Catalog.from_json(Path(config.get("CATALOG_FILE") or PACKAGE_DATA / "catalog.json"))
    try:
        return load_forms(forms_path(config), catalog)
    except FormsError as exc:
        raise ConfigError(f"BAKSO_FORMS_FILE: {exc}") from None


def forms_path(config: Mapping[str, Any]) -> Path:
    return Path(config.get("FORMS_FILE") or PACKAGE_DATA / "forms.json")


@dataclass
class Services:
    # records, blobs and queue are for the workers and tests: views and the CLI go
    # through a service (tests/unit/test_layering.py fails otherwise).
    adapters: str
    records: Records
    blobs: Blobs
    queue: Queue
    catalog: Catalog  # the default kabupaten's; `.catalog_for(code)` each one's
    tenants: Tenants
    regions: Regions  # the regions of every kabupaten served (tenants.regions)
    requests: RequestService
    accounts: AccountService
    status: StatusService
    batches: BatchService
    returns: ReturnService
    retention: RetentionService
    retention_files: FileRetentionService  # batches, unfinished uploads, sasaran rows
    sasaran: SasaranService
    coverage: CoverageService
    audit: AuditService
    dead_letters: DeadLetterService
    local_blobs: LocalBlobService | None  # the local set's signed-URL routes; None on AWS
    sessions: SessionService
    desa_contacts: DesaContactService
    notifications: NotificationService  # messages to residents (docs/notifications.md)
    # The resident's download of the issued document with the PIN (/cek/<token>/unduh).
    downloads: ResidentDownloads
    # Judged by RequestService on every PUT /requests carrying `fields` (docs/forms.md).
    forms: Forms
    # The same definitions as the file has them, for the devices (GET /api/v1/forms).
    forms_served: dict[str, Any]
    # The prefilled F-forms to print and sign (GET /requests/<id>/formulir/<code>.pdf).
    printed_forms: PrintedFormService
    reports: ReportService  # residents' reports to the overseer (bootstrap_reports.py)
    ikm: IkmService | None = None  # the IKM survey (bootstrap_ikm.py, docs/ikm.md)
    service_times: ServiceTimeService | None = None  # /layanan (docs/service-times.md)


def build_sasaran_store(config: Mapping[str, Any], records: Records | None = None) -> SasaranStore:
    """The sasaran store beside the adapter set: its own SQLite file, or the records table."""
    kind = config["ADAPTERS"]
    if kind == "local":
        from .adapters.local import SqliteSasaranStore

        return SqliteSasaranStore(Path(config["DATA_DIR"]) / "sasaran.sqlite3")
    if kind == "aws":
        from .adapters import aws

        shared = records if isinstance(records, aws.DynamoRecords) else None
        return aws.build_sasaran_store(config, shared)
    raise ValueError(f"unknown adapter set {kind!r}")


def build_sasaran(
    config: Mapping[str, Any],
    records: Records,
    blobs: Blobs,
    queue: Queue,
    tenants: Tenants,
    store: SasaranStore | None = None,
) -> tuple[SasaranService, CoverageService]:
    store = store or build_sasaran_store(config, records)
    regions, default = tenants.regions, tenants.default.code
    settings = SasaranSettings(
        max_file_bytes=config["SASARAN_MAX_FILE_BYTES"],
        max_rows=config["SASARAN_MAX_ROWS"],
        chunk_rows=config["SASARAN_CHUNK_ROWS"],
        upload_url_ttl=config["UPLOAD_URL_TTL"],
        page_size_max=config["SASARAN_PAGE_SIZE_MAX"],
        xlsx=xlsx_limits(config),
    )
    sasaran = SasaranService(
        store, records, blobs, queue, regions, settings, utc_now, default_kabupaten=default
    )
    return sasaran, CoverageService(store, regions, utc_now, default)


def build_services(
    config: Mapping[str, Any],
    adapters: tuple[Records, Blobs, Queue, SasaranStore] | None = None,
    notifier: Notifier | None = None,
    ikm: IkmStore | None = None,
) -> Services:
    """The use cases on the configured adapter set, or on `adapters`/`notifier` (tests' fakes)."""
    tenants = build_tenants(config)
    # The zone of contexts that set none; requests and messages set their kabupaten's.
    localtime.use_default_zone(tenants.default.timezone)
    if adapters is None:
        records, blobs, queue = build_adapters(config)
        store = None
    else:
        records, blobs, queue, store = adapters
    regions = tenants.regions
    catalog = build_catalog(config, tenants)
    forms = build_forms(config)
    sasaran, coverage = build_sasaran(config, records, blobs, queue, tenants, store)
    notifications = build_notifications(config, records, queue, catalog, tenants, notifier)
    service_times = build_service_times(config, records, queue, tenants)
    requests = RequestService(
        records,
        blobs,
        queue,
        catalog,
        regions,
        RequestSettings(
            max_scan_bytes=config["MAX_SCAN_BYTES"],
            upload_url_ttl=config["UPLOAD_URL_TTL"],
            download_url_ttl=config["DOWNLOAD_URL_TTL"],
            page_size_max=config["PAGE_SIZE_MAX"],
            search_secret=config["SECRET_KEY"],
        ),
        utc_now,
        observers=[sasaran, notifications, service_times],
        sasaran_links=sasaran,
        tenants=tenants,
        forms=forms,
    )
    forget = config["THROTTLE_FORGET_SECONDS"]
    users = UserCache(records, config["USER_CACHE_SECONDS"])
    accounts = AccountService(
        records,
        tenants,
        LoginPolicy(
            ThrottlePolicy(
                config["LOGIN_MAX_FAILURES"],
                config["LOGIN_LOCKOUT_SECONDS"],
                config["LOGIN_LOCKOUT_MAX_SECONDS"],
                forget,
            ),
            password_min_length=config["PASSWORD_MIN_LENGTH"],
            client_throttle=ThrottlePolicy(
                config["LOGIN_CLIENT_MAX_FAILURES"],
                config["LOGIN_LOCKOUT_SECONDS"],
                config["LOGIN_LOCKOUT_MAX_SECONDS"],
                forget,
            ),
        ),
        utc_now,
        PasswordHasher(**config["ARGON2_PARAMS"]) if config.get("ARGON2_PARAMS") else None,
        throttle_secret=config["SECRET_KEY"],
        users=users,
    )
    status = StatusService(
        records,
        catalog,
        regions,
        StatusTexts.from_json(PACKAGE_DATA / "status_texts.json"),
        Throttle(
            records,
            ThrottlePolicy(
                config["LOOKUP_MAX_FAILURES"],
                config["LOOKUP_LOCKOUT_SECONDS"],
                forget_after_seconds=forget,
            ),
            utc_now,
            config["SECRET_KEY"],
        ),
        client_policy=ThrottlePolicy(
            config["LOOKUP_CLIENT_MAX_FAILURES"],
            config["LOOKUP_LOCKOUT_SECONDS"],
            forget_after_seconds=forget,
        ),
        tenants=tenants,
    )
    reports = build_reports(records)
    built = Services(
        config["ADAPTERS"],
        records,
        blobs,
        queue,
        catalog,
        tenants,
        regions,
        requests,
        accounts,
        status,
        BatchService(
            records,
            blobs,
            queue,
            catalog,
            regions,
            utc_now,
            BatchSettings(
                volume_requests=config["BATCH_VOLUME_REQUESTS"],
                volume_bytes=config["BATCH_VOLUME_BYTES"],
                build_deadline=config["BATCH_BUILD_DEADLINE"],
                step_requests=config["BATCH_STEP_REQUESTS"],
                download_url_ttl=config["DOWNLOAD_URL_TTL"],
            ),
            send_back=requests.send_back_for_repair,
            observers=[sasaran, notifications, service_times],
            default_kabupaten=tenants.default.code,
            forms=forms,
        ),
        ReturnService(
            records,
            blobs,
            queue,
            requests,
            ReturnSettings(
                max_rows=config["RETURN_MAX_ROWS"],
                chunk_rows=config["RETURN_CHUNK_ROWS"],
                max_table_bytes=config["RETURN_MAX_TABLE_BYTES"],
                max_pdfs_bytes=config["RETURN_MAX_PDFS_BYTES"],
                max_pdf_bytes=config["RETURN_MAX_PDF_BYTES"],
                upload_url_ttl=config["UPLOAD_URL_TTL"],
                unpack=ZipLimits(
                    max_entries=config["UNPACK_MAX_ENTRIES"],
                    max_entry_bytes=config["UNPACK_MAX_BYTES"],
                    max_total_bytes=config["UNPACK_MAX_BYTES"],
                    max_ratio=config["UNPACK_MAX_RATIO"],
                ),
                xlsx=xlsx_limits(config),
            ),
            utc_now,
        ),
        RetentionService(
            records,
            blobs,
            regions,
            utc_now,
            RetentionPolicy(
                retention_days=config["RETENTION_DAYS"],
                uncollected_days=config["UNCOLLECTED_DAYS"],
                abandoned_days=config["ABANDONED_DAYS"],
            ),
            cancel=requests.cancel_abandoned,
            forget_messages=forget_with(reports, notifications.forget),
            compact_messages=notifications.compact,
        ),
        FileRetentionService(
            records,
            sasaran.store,
            blobs,
            utc_now,
            FileRetentionSettings(
                batch_days=config["BATCH_RETENTION_DAYS"],
                upload_days=config["UPLOAD_RETENTION_DAYS"],
                sasaran_days=config["RETENTION_DAYS"],
                tombstone_days=config["SASARAN_TOMBSTONE_DAYS"],
                build_deadline=config["BATCH_BUILD_DEADLINE"],
            ),
        ),
        sasaran,
        coverage,
        audit=AuditService(
            records,
            AuditKeys.from_config(config),
            users=records,
            requests=records,
            chains=tenants.codes(),
        ),
        dead_letters=DeadLetterService(queue),
        local_blobs=LocalBlobService(blobs) if isinstance(blobs, SignedUrlBlobs) else None,
        sessions=SessionService(
            records,
            SessionPolicy(
                idle_seconds=config["SESSION_IDLE_SECONDS"],
                lifetime_seconds=int(_seconds(config["PERMANENT_SESSION_LIFETIME"])),
                touch_seconds=config["SESSION_TOUCH_SECONDS"],
            ),
            utc_now,
            users,
        ),
        desa_contacts=DesaContactService(records, records, regions, utc_now),
        notifications=notifications,
        downloads=build_downloads(config, records, blobs, catalog, tenants, utc_now),
        forms=forms,
        forms_served=served_forms(forms_path(config)),
        printed_forms=PrintedFormService(requests, forms, catalog, regions),
        reports=reports,
    )
    built.ikm = attach_ikm(built, config, ikm)
    built.service_times = attach_ikm_grades(service_times, built.ikm)
    return built


def _seconds(value: Any) -> float:
    """A lifetime as seconds: create_app turns PERMANENT_SESSION_LIFETIME into a timedelta."""
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
