"""Officer accounts: creating them, and logging in with throttling that survives restarts."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..domain.actors import Actor
from ..domain.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, TooManyAttempts
from ..domain.lifecycle import Role
from ..domain.model import User
from ..domain.regions import kabupaten_of
from ..domain.tenants import Kabupaten, Tenants
from ..ports import AuditLog, LoginAttemptStore, SessionStore, UserStore
from .throttle import Throttle, ThrottlePolicy
from .user_cache import UserCache

log = logging.getLogger(__name__)

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")


ACCOUNT_DISABLED = "Akun ini dinonaktifkan. Hubungi admin Dukcapil untuk mengaktifkannya kembali."


@dataclass(frozen=True)
class LoginPolicy:
    throttle: ThrottlePolicy = field(default_factory=ThrottlePolicy)  # per username
    password_min_length: int = 10
    # Per client address: looser than per username (a desa office shares one address),
    # and what stops one client spraying guesses over many usernames.
    client_throttle: ThrottlePolicy = field(default_factory=lambda: ThrottlePolicy(30))


TOO_MANY_LOGINS = "Terlalu banyak percobaan masuk."


class AccountRecords(UserStore, LoginAttemptStore, SessionStore, AuditLog, Protocol):
    """The records ports AccountService uses (one Records adapter serves them all)."""


# Who changes an account: a name (the CLI, "system": every account) or the admin acting
# through the API, an Actor, who reaches only the accounts of its own kabupaten (#16).
By = str | Actor


def _name(by: By) -> str:
    return by if isinstance(by, str) else by.username


def _scope(by: By) -> str | None:
    """The kabupaten `by` is confined to; None for the system and the CLI."""
    return None if isinstance(by, str) else by.kabupaten


class AccountService:
    def __init__(
        self,
        records: AccountRecords,
        tenants: Tenants,
        policy: LoginPolicy,
        clock: Callable[[], datetime],
        hasher: PasswordHasher | None = None,
        throttle_secret: str = "",
        users: UserCache | None = None,
    ) -> None:
        self.records = records
        # Shared with SessionService: what this process changes, it stops serving stale.
        self.users = users or UserCache(records, 0)
        self.tenants = tenants
        self.regions = tenants.regions
        self.policy = policy
        self.clock = clock
        self.hasher = hasher or PasswordHasher()
        self.throttle = Throttle(records, policy.throttle, clock, throttle_secret)
        # Verified against when the account does not exist or is disabled, so that
        # every wrong login costs one verify and the time taken reveals neither.
        self._decoy_hash = self.hasher.hash("bakso-decoy-password")

    def create_user(
        self,
        username: str,
        role: str,
        desa: str | None,
        password: str,
        actor: By = "system",
        *,
        kabupaten: str | None = None,
        provinsi: str | None = None,
    ) -> User:
        """A new account. Dukcapil staff work for one served kabupaten (the deployment's
        default when none is named, or the creating admin's); an operator for one served desa
        (its kabupaten follows); the province role names a province with a served kabupaten.
        An admin creates accounts of its own kabupaten only (and its province's role)."""
        username = username.strip().lower()
        if not USERNAME.match(username):
            raise InvalidInput(
                "Nama pengguna 3–64 karakter: huruf kecil, angka, titik, garis bawah atau strip."
            )
        try:
            parsed_role = Role(role)
        except ValueError:
            raise InvalidInput(f"Peran '{role}' tidak dikenal.") from None
        if parsed_role is Role.SYSTEM:
            raise InvalidInput("Peran 'system' hanya untuk server.")
        desa, kabupaten, provinsi = self._placement(
            parsed_role, desa or None, kabupaten or None, provinsi or None, _scope(actor)
        )
        self._check_password(password)
        if self.records.get_user(username) is not None:
            raise Conflict(f"Pengguna '{username}' sudah ada.")
        user = User(
            username=username,
            role=parsed_role,
            desa=desa,
            password_hash=self.hasher.hash(password),
            created_at=self.clock().isoformat(timespec="seconds"),
            kabupaten=kabupaten,
            provinsi=provinsi,
        )
        self.records.save_user(user)
        self.records.append_audit(
            chain=self._chain(user, actor),
            at=user.created_at,
            actor=_name(actor),
            action="user.create",
            target=username,
            data={
                "role": parsed_role.value,
                "desa": user.desa,
                "kabupaten": user.kabupaten,
                "provinsi": user.provinsi,
            },
        )
        return user

    def _placement(
        self,
        role: Role,
        desa: str | None,
        kabupaten: str | None,
        provinsi: str | None,
        scope: str | None,
    ) -> tuple[str | None, str | None, str | None]:
        """(desa, kabupaten, provinsi) of a new account of `role`, or why not."""
        if role is Role.PROVINSI:
            if desa or kabupaten:
                raise InvalidInput("Akun provinsi tidak terikat pada desa atau kabupaten.")
            if not provinsi or not self.tenants.in_provinsi(provinsi):
                raise InvalidInput(
                    "Akun provinsi wajib punya kode provinsi (mis. 52) yang memiliki"
                    " kabupaten yang dilayani."
                )
            if scope is not None:
                # A province account reads every kabupaten's figures of its province: a
                # kabupaten's admin who could make or reset one would reach past its own
                # kabupaten. The deployment's maintainers make them (bakso user create).
                raise InvalidInput(
                    "Akun provinsi dibuat oleh pengelola layanan (perintah bakso user create), "
                    "bukan oleh admin kabupaten."
                )
            return None, None, provinsi
        if provinsi:
            raise InvalidInput("Hanya akun provinsi yang terikat pada provinsi.")
        if role is Role.OPERATOR:
            if not desa or not self.regions.is_desa(desa):
                raise InvalidInput("Operator wajib punya desa yang dikenal.")
            own = kabupaten_of(desa)
            if kabupaten and kabupaten != own:
                raise InvalidInput(f"Desa '{desa}' tidak terletak di kabupaten '{kabupaten}'.")
            self._within(scope, own, f"Desa '{desa}' bukan desa kabupaten Anda.")
            return desa, own, None
        if desa:
            raise InvalidInput("Hanya operator yang terikat pada satu desa.")
        if role is Role.PENGAWAS and scope is not None:
            raise InvalidInput(
                "Akun pengawas dibuat oleh pengelola layanan (perintah bakso user create), "
                "bukan oleh admin kabupaten."
            )
        chosen = kabupaten or scope or self.tenants.default.code
        if self.tenants.get(chosen) is None:
            raise InvalidInput(f"Kabupaten '{chosen}' tidak dilayani layanan ini.")
        self._within(scope, chosen, "Anda hanya dapat membuat akun untuk kabupaten Anda.")
        return None, chosen, None

    @staticmethod
    def _within(scope: str | None, kabupaten: str, refusal: str) -> None:
        if scope is not None and kabupaten != scope:
            raise InvalidInput(refusal)

    def kabupaten_code(self, user: User) -> str | None:
        """The kabupaten an account works for: an operator its desa's; Dukcapil staff their
        own (accounts from before #16: the default); the province role none."""
        if user.role is Role.OPERATOR:
            return kabupaten_of(user.desa) if user.desa else None
        if user.role is Role.PROVINSI:
            return None
        return user.kabupaten or self.tenants.default.code

    def kabupaten_served(self, user: User) -> list[Kabupaten]:
        """The served kabupaten an account works in: one, or a province role's several."""
        if user.role is Role.PROVINSI:
            return self.tenants.in_provinsi(user.provinsi or "")
        found = self.tenants.get(self.kabupaten_code(user))
        return [found] if found is not None else []

    def _reaches(self, by: By, user: User) -> bool:
        scope = _scope(by)
        if scope is None:
            return True
        if user.role in (Role.PROVINSI, Role.PENGAWAS):
            # Kept by the deployment's maintainers, never a kabupaten's admin: the overseer
            # reads reports about the admin's own officers (docs/reports.md).
            return False
        return self.kabupaten_code(user) == scope

    def list_users(self, by: By = "system") -> list[User]:
        """Every account `by` may manage: an admin's, those of its kabupaten (accounts are
        few, hundreds per kabupaten: read in one list and filtered here)."""
        users = [u for u in self.records.list_users() if self._reaches(by, u)]
        return sorted(users, key=lambda u: u.username)

    def get(self, username: str) -> User | None:
        """The stored account (as it is now, not as a session remembers it), or None."""
        return self.records.get_user(username.strip().lower())

    def account(self, username: str, by: By) -> User:
        """One account `by` may manage; NotFound otherwise."""
        return self._existing(username, by)

    def _existing(self, username: str, by: By) -> User:
        user = self.records.get_user(username.strip().lower())
        # Another kabupaten's account is as absent as one that does not exist (#16).
        if user is None or not self._reaches(by, user):
            raise NotFound(f"Pengguna '{username}' tidak ditemukan.")
        return user

    def _chain(self, user: User, by: By) -> str:
        """The audit chain of an account's entries: its kabupaten's; the province role's,
        the acting admin's ("" from the CLI: the default kabupaten's)."""
        return self.kabupaten_code(user) or _scope(by) or ""

    def _audit(
        self, chain: str, actor: str, action: str, target: str, data: dict[str, Any]
    ) -> None:
        self.records.append_audit(
            chain=chain,
            at=self.clock().isoformat(timespec="seconds"),
            actor=actor,
            action=action,
            target=target,
            data=data,
        )

    def disable(self, username: str, by: By) -> User:
        """Disable an account; bumping the epoch ends every session it has."""
        user = self._existing(username, by)
        actor = _name(by)
        if user.username == actor:
            raise InvalidInput("Anda tidak dapat menonaktifkan akun sendiri.")
        user = replace(user, active=False, session_epoch=user.session_epoch + 1)
        self._save(user, end_sessions=True)
        self._audit(self._chain(user, by), actor, "user.disable", user.username, {})
        log.info("user %s disabled by %s", user.username, actor)
        return user

    def enable(self, username: str, by: By) -> User:
        user = self._existing(username, by)
        if not user.active:
            user = replace(user, active=True)
            self._save(user)
            self._audit(self._chain(user, by), _name(by), "user.enable", user.username, {})
        return user

    def reset_password(self, username: str, password: str, by: By) -> User:
        """Set a new password; old sessions die. The password itself is never logged."""
        user = self._existing(username, by)
        actor = _name(by)
        self._check_password(password)
        user = replace(
            user, password_hash=self.hasher.hash(password), session_epoch=user.session_epoch + 1
        )
        self._save(user, end_sessions=True)
        self.throttle.clear(self.throttle.key("login-user", user.username))
        self._audit(self._chain(user, by), actor, "user.reset_password", user.username, {})
        log.info("password of %s reset by %s", user.username, actor)
        return user

    def end_sessions(self, username: str, by: By) -> User:
        """End every session of the account, on every device (its epoch moves on)."""
        user = self._existing(username, by)
        actor = _name(by)
        user = replace(user, session_epoch=user.session_epoch + 1)
        self._save(user, end_sessions=True)
        self._audit(self._chain(user, by), actor, "user.end_sessions", user.username, {})
        log.info("sessions of %s ended by %s", user.username, actor)
        return user

    def assign_desa(self, username: str, desa: str, by: By) -> User:
        user = self._existing(username, by)
        if user.role is not Role.OPERATOR:
            raise InvalidInput("Hanya operator yang terikat pada satu desa.")
        if not self.regions.is_desa(desa):
            raise InvalidInput(f"Desa '{desa}' tidak dikenal.")
        self._within(_scope(by), kabupaten_of(desa), f"Desa '{desa}' bukan desa kabupaten Anda.")
        if user.desa != desa:
            previous = user.desa
            # other processes: within USER_CACHE_SECONDS
            user = replace(user, desa=desa, kabupaten=kabupaten_of(desa))
            self._save(user)
            self._audit(
                self._chain(user, by),
                _name(by),
                "user.assign_desa",
                user.username,
                {"from": previous, "to": desa},
            )
        return user

    def _save(self, user: User, *, end_sessions: bool = False) -> None:
        """Store the account; `end_sessions` also marks every session of it revoked.

        The epoch moves too, but another process may hold the account cached for
        USER_CACHE_SECONDS, and only the session items are read on every request.
        """
        self.records.save_user(user)
        self.users.forget(user.username)
        if end_sessions:
            self.records.revoke_user_sessions(user.username)

    def _check_password(self, password: str) -> None:
        if len(password) < self.policy.password_min_length:
            raise InvalidInput(f"Kata sandi minimal {self.policy.password_min_length} karakter.")

    def authenticate(self, username: str, password: str, client: str) -> User:
        """The user, if the password is right and neither the name nor the client is locked.

        The attempt is counted per client address, then per username, before the
        password is checked (services/throttle.py), so parallel guesses cannot
        outrun the count. Unknown, disabled and existing accounts cost the same:
        one read and one argon2 verify.
        """
        username = username.strip().lower()
        client_key = self.throttle.key("login-client", client)
        self.throttle.reserve(client_key, TOO_MANY_LOGINS, self.policy.client_throttle)
        user_key = self.throttle.key("login-user", username)
        try:
            self.throttle.reserve(user_key, TOO_MANY_LOGINS)
        except TooManyAttempts:
            # Nothing was checked: the office's shared address keeps its slot, so one locked
            # username does not spend the budget of every officer behind that address.
            self.throttle.release(client_key, self.policy.client_throttle)
            raise
        user = self.records.get_user(username)
        right = self._verify(user.password_hash if user else self._decoy_hash, password)
        if user is None or not right:
            raise NotAuthenticated("Nama pengguna atau kata sandi salah.")
        if not user.active:
            # Said only to whoever knows the password: a guesser learns nothing more, and the
            # officer learns why, instead of retyping a right password.
            raise NotAuthenticated(ACCOUNT_DISABLED)
        self.throttle.clear(user_key)
        self.throttle.release(client_key, self.policy.client_throttle)
        if self.hasher.check_needs_rehash(user.password_hash):
            user = replace(user, password_hash=self.hasher.hash(password))
            self._save(user)
        return user

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return bool(self.hasher.verify(password_hash, password))
        except (VerificationError, InvalidHashError):
            return False
