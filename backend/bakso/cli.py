"""The `bakso` command: serve, users, demo data, worker, audit."""

from __future__ import annotations

import logging
import sys
import time

import click

from . import create_app
from .bootstrap import Services, build_services
from .config import ConfigError, load
from .domain.errors import BaksoError
from .services import audit as chain

DEMO_PASSWORD = "bakso-demo-2026"  # noqa: S105 - printed by `make run`; demo data only
# (username, role, desa or the province role's province): Lombok Timur's, and NTB's.
DEMO_USERS = [
    ("dukcapil", "dukcapil", None),
    ("admin", "admin", None),
    ("op.tanjungluar", "operator", "52.03.01.2001"),  # Tanjung Luar, Keruak
    ("op.sakra", "operator", "52.03.02.2002"),  # Sakra, Sakra
    ("provinsi.ntb", "provinsi", "52"),  # Nusa Tenggara Barat: coverage only
    ("pengawas", "pengawas", None),  # Lombok Timur's overseer: residents' reports only
]


def _services() -> Services:
    return build_services(load())


@click.group()
def main() -> None:
    """BAKSO — Bikin Administrasi Kependudukan Secara Online."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Run the local server with its in-process worker (data under BAKSO_DATA_DIR)."""
    from waitress import serve as waitress_serve

    app = create_app({"RUN_WORKER": True, "SERVE_BASE_URL": _serve_base_url(host, port)})
    click.echo(f"BAKSO berjalan di http://{host}:{port}/  (data: {app.config['DATA_DIR']})")
    waitress_serve(app, host=host, port=port, threads=8, ident="bakso")


def _serve_base_url(host: str, port: int) -> str:
    """The address the messages' links name: a wildcard host is reached on loopback
    here (a LAN device needs PUBLIC_BASE_URL, docs/notifications.md)."""
    if host in ("", "0.0.0.0", "::", "*"):  # noqa: S104 (compared, not bound)
        host = "127.0.0.1"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


@main.group()
def user() -> None:
    """Officer accounts."""


@user.command("create")
@click.argument("username")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["operator", "dukcapil", "admin", "provinsi", "pengawas"]),
)
@click.option("--desa", default=None, help="Kemendagri desa code, operators only")
@click.option(
    "--kabupaten",
    default=None,
    help="Kabupaten code (52.03) of a dukcapil, admin or pengawas account; default: the first"
    " served",
)
@click.option("--provinsi", default=None, help="Province code (52), the provinsi role only")
def user_create(
    username: str, role: str, desa: str | None, kabupaten: str | None, provinsi: str | None
) -> None:
    """Create an officer; the password is read from stdin (never from the command line)."""
    password = sys.stdin.readline().rstrip("\n")
    try:
        created = _services().accounts.create_user(
            username, role, desa, password, kabupaten=kabupaten, provinsi=provinsi
        )
    except BaksoError as exc:
        raise click.ClickException(exc.detail) from None
    click.echo(f"Pengguna {created.username} ({created.role.value}) dibuat.")


@user.command("reset-password")
@click.argument("username")
def user_reset_password(username: str) -> None:
    """Set a new password (read from stdin) and end the account's sessions: for accounts no
    kabupaten admin may reach, such as a province's (docs/kabupaten.md)."""
    password = sys.stdin.readline().rstrip("\n")
    try:
        _services().accounts.reset_password(username, password, "system")
    except BaksoError as exc:
        raise click.ClickException(exc.detail) from None
    click.echo(f"Kata sandi {username} diganti; sesi lamanya berakhir.")


@user.command("disable")
@click.argument("username")
def user_disable(username: str) -> None:
    """Disable an account (its sessions end at once)."""
    try:
        _services().accounts.disable(username, "system")
    except BaksoError as exc:
        raise click.ClickException(exc.detail) from None
    click.echo(f"Akun {username} dinonaktifkan.")


@main.command("seed-demo")
def seed_demo() -> None:
    """Create the demo officers if they do not exist (regions and catalog ship with the code)."""
    services = _services()
    for username, role, place in DEMO_USERS:
        if services.accounts.get(username) is None:
            province = place if role == "provinsi" else None
            desa = None if province else place
            services.accounts.create_user(username, role, desa, DEMO_PASSWORD, provinsi=province)
    click.echo("Data demo siap.")
    print_demo_logins()


def print_demo_logins() -> None:
    click.echo(f"Akun demo (kata sandi semua: {DEMO_PASSWORD}):")
    for username, role, place in DEMO_USERS:
        click.echo(f"  {username:<16} {role:<9} {place or ''}")


@main.command()
@click.option("--once", is_flag=True, help="Drain what is queued now, then exit.")
def worker(once: bool) -> None:
    """Run the queue worker alone (the local server already runs one)."""
    from .workers.handlers import drain_once, drain_until_idle

    services = _services()
    while True:
        handled = drain_until_idle(services) if once else drain_once(services)
        if once:
            click.echo(f"{handled} pesan diproses.")
            return
        if not handled:
            time.sleep(1)


@main.command()
def cleanup() -> None:
    """Erase what is kept past its time (docs/retention.md): requests, files, sasaran."""
    services = _services()
    report = services.retention.purge()
    click.echo(
        f"{report.requests} permohonan dihapus data pribadinya ({report.cancelled} dibatalkan"
        f" otomatis karena terbengkalai), {report.blobs} berkasnya dihapus."
    )
    files = services.retention_files.purge()
    click.echo(
        f"{files.batches} paket, {files.uploads} unggahan pindaian, {files.returns} pengembalian"
        f" dan {files.imports} impor tak selesai, {files.sasaran_rows} baris sasaran dihapus."
    )


@main.group()
def retention() -> None:
    """Keeping personal data no longer than needed (docs/retention.md)."""


@retention.command("backfill")
@click.option("--cursor", default=None, help="Go on from where the last run stopped.")
@click.option("--pages", default=50, show_default=True, type=click.IntRange(1, 10_000))
def retention_backfill(cursor: str | None, pages: int) -> None:
    """Index requests stored before #13 for the purge (once, after upgrading on AWS)."""
    written, next_cursor = _services().retention.backfill(cursor, pages)
    click.echo(f"{written} permohonan diindeks ulang.")
    if next_cursor is not None:
        click.echo(
            f"Belum selesai; lanjutkan dengan: bakso retention backfill --cursor {next_cursor}"
        )
    else:
        click.echo("Selesai: semua permohonan terindeks.")


@main.group()
def records() -> None:
    """The records store's keys (docs/deploy-aws.md)."""


@records.command("backfill-keys")
@click.option("--after", default=None, help="Go on from where the last run stopped.")
@click.option("--pages", default=50, show_default=True, type=click.IntRange(1, 10_000))
def records_backfill_keys(after: str | None, pages: int) -> None:
    """Key requests stored before #16 by kabupaten (once, after upgrading on AWS)."""
    written, next_after = _services().requests.backfill_keys(after, pages)
    click.echo(f"{written} permohonan dikunci ulang menurut kabupaten.")
    if next_after is not None:
        click.echo(
            f"Belum selesai; lanjutkan dengan: bakso records backfill-keys --after {next_after}"
        )
    else:
        click.echo("Selesai: semua permohonan terkunci menurut kabupaten.")


@main.group()
def sasaran() -> None:
    """Sasaran worklists and their coverage counters."""


@sasaran.command("counters-backfill")
@click.option("--pages", default=50, show_default=True, type=click.IntRange(1, 10_000))
def sasaran_counters_backfill(pages: int) -> None:
    """Move coverage counters to one partition per desa (once, after upgrading on AWS)."""
    moved, done = _services().coverage.upgrade_counters(pages)
    click.echo(f"{moved} item penghitung dipindahkan.")
    if done:
        click.echo("Selesai: semua penghitung ada di partisi desanya.")
    else:
        click.echo("Belum selesai; lanjutkan dengan: bakso sasaran counters-backfill")


@main.group()
def queue() -> None:
    """The work queue's dead letters: messages that kept failing."""


@queue.command("dead")
def queue_dead() -> None:
    """List dead letters (ids and message types only)."""
    dead = _services().dead_letters.list()
    for letter in dead:
        click.echo(f"{letter.id}  {letter.type}  percobaan: {letter.attempts}")
    click.echo(f"{len(dead)} pesan mati.")


@queue.command("redrive")
@click.argument("message_ids", nargs=-1)
@click.option("--all", "redrive_all", is_flag=True, help="Send every dead letter back.")
def queue_redrive(message_ids: tuple[str, ...], redrive_all: bool) -> None:
    """Put dead letters back on the queue."""
    dead_letters = _services().dead_letters
    ids = [letter.id for letter in dead_letters.list()] if redrive_all else list(message_ids)
    if not ids:
        raise click.ClickException("Sebutkan id pesan, atau --all.")
    click.echo(f"{dead_letters.redrive(ids)} pesan dikirim ulang.")


@main.group()
def audit() -> None:
    """The keyed, hash-chained audit log."""


@audit.command("backfill")
@click.option("--after", default=0, show_default=True, type=click.IntRange(0))
@click.option("--pages", default=50, show_default=True, type=click.IntRange(1, 10_000))
def audit_backfill(after: int, pages: int) -> None:
    """Index entries written before #15 by time (once, after upgrading on AWS)."""
    written, next_after = _services().audit.index_times(after, pages)
    click.echo(f"{written} entri audit diindeks menurut waktu.")
    if next_after is not None:
        click.echo(f"Belum selesai; lanjutkan dengan: bakso audit backfill --after {next_after}")
    else:
        click.echo("Selesai: semua entri audit terindeks menurut waktu.")


@audit.command("move-legacy")
@click.option("--pages", default=50, show_default=True, type=click.IntRange(1, 10_000))
def audit_move_legacy(pages: int) -> None:
    """Move the log from before #16 into the default kabupaten's chain (once, on AWS)."""
    moved, done = _services().audit.move_legacy(pages)
    click.echo(f"{moved} item log audit dipindahkan.")
    if done:
        click.echo("Selesai: log audit lama kini rantai kabupaten utama.")
    else:
        click.echo("Belum selesai; jalankan lagi: bakso audit move-legacy")


@audit.command("verify")
@click.option(
    "--kabupaten",
    "only",
    default=None,
    help="Only this kabupaten's chain (e.g. one no longer served); default: every one served.",
)
def audit_verify(only: str | None) -> None:
    """Check each kabupaten's chain and its sealed head; name the first broken link."""
    service = _services().audit
    checks = [service.verify(only)] if only else service.verify_all()
    broken = [check for check in checks if check.problem is not None]
    for check in checks:
        _echo_chain(check)
    if broken:
        names = ", ".join(check.chain for check in broken)
        raise click.ClickException(
            f"{len(broken)} dari {len(checks)} rantai audit rusak (kabupaten {names})."
        )


def _echo_chain(check: chain.ChainCheck) -> None:
    n, m = check.checked, check.recorded
    where = f"Kabupaten {check.chain}: "
    broken = {
        chain.LINK: f"Rantai audit rusak mulai entri #{check.broken}.",
        chain.MISSING: f"Rantai audit rusak: log berisi {n} entri, kepala rantai mencatat {m} "
        f"(entri #{check.broken} dan sesudahnya hilang).",
        chain.EXTRA: f"Rantai audit rusak: log berisi {n} entri, kepala rantai mencatat {m} "
        f"(entri #{check.broken} dan sesudahnya tidak tercatat di kepala).",
        chain.HEAD_MISMATCH: f"Rantai audit rusak: entri #{check.broken} tidak sama dengan "
        "tautan terakhir di kepala rantai.",
        chain.HEAD_FORGED: "Rantai audit rusak: kepala rantai tidak disegel dengan kunci audit "
        "(BAKSO_AUDIT_KEY atau BAKSO_AUDIT_OLD_KEYS) untuk rantai ini.",
        chain.HEAD_MISSING: f"Rantai audit rusak: log berisi {n} entri, kepala rantai hilang.",
        chain.WIPED: "Rantai audit rusak: log dan kepala rantai kosong, padahal sudah ada akun "
        "(setiap akun dibuat dengan entri audit): log telah dihapus seluruhnya.",
    }
    if check.problem is not None:
        click.echo(where + broken[check.problem])
        return
    click.echo(f"{where}Rantai audit utuh: {n} entri.")
    if check.head is not None:
        # Worth writing down: a head rolled back to an older one is only caught by comparing.
        click.echo(
            f"{where}Kepala rantai: {check.head.length} entri, tautan terakhir "
            f"{check.head.link[:16]}, kunci {check.head.key_id or 'lama'}."
        )
    if check.legacy:
        click.echo(
            f"{where}{check.legacy} entri pertama dari sebelum log audit berkunci (SHA-256 saja)."
        )


@main.group()
def notify() -> None:
    """Messages to residents and desa (docs/notifications.md)."""


@notify.command("list")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
def notify_list(limit: int) -> None:
    """The newest messages the local notifier kept (NOTIFIER=local; for the developer)."""
    notifications = _services().notifications
    if notifications.channel != "local":
        raise click.ClickException(
            "Hanya notifier lokal (BAKSO_NOTIFIER=local) yang menyimpan pesannya sendiri."
        )
    messages = notifications.sent(limit)
    if not messages:
        click.echo("Belum ada pesan.")
    for message in messages:
        click.echo(f"{message.at}  {message.to}  {message.key}")
        click.echo(f"  {message.text}")


@notify.command("sms-settings")
@click.option(
    "--monthly-spend-limit",
    required=True,
    type=click.IntRange(0),
    help="USD a month the account may spend on SMS (above its quota: ask AWS Support first).",
)
@click.option("--sender-id", default=None, help="Default sender id, 1-11 letters and digits.")
def notify_sms_settings(monthly_spend_limit: int, sender_id: str | None) -> None:
    """Set the AWS account's SMS settings (SetSMSAttributes; no CloudFormation resource)."""
    from .bootstrap_sms import build_sms_settings

    try:
        held = build_sms_settings(load()).apply(
            monthly_spend_limit=monthly_spend_limit, sender_id=sender_id
        )
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    except BaksoError as exc:
        raise click.ClickException(exc.detail) from None
    for name in sorted(held):
        click.echo(f"{name}: {held[name]}")
    click.echo("Pengaturan SMS akun AWS tersimpan.")
