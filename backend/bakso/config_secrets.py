"""The deployment's secrets: given in the environment, made beside the local data, or refused.

Part of `bakso.config.load()`. SECRET_KEY signs sessions and the local signed
URLs; AUDIT_KEY makes and checks the audit chain's links (docs/security.md). On
one machine (`SECRET_KEY_FILE`) a missing one is made once and kept in the data
folder; elsewhere (AWS) every function must be given the same value, so none is
ever made up. EDGE_ORIGIN_SECRET, the CloudFront distribution's origin secret, is
optional (none: no edge is trusted) and never made up either.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

# setting → (file beside the local data, why every function needs the same value)
SECRETS: dict[str, tuple[str, str]] = {
    "SECRET_KEY": (
        "secret_key",
        "Set it in the configuration of every function that runs BAKSO, the same value "
        "everywhere (docs/deploy-aws.md, step 4): sessions and signed links made by one must "
        "be valid in the others.",
    ),
    "AUDIT_KEY": (
        "audit_key",
        "Set it on every function that runs BAKSO, the same value everywhere, and keep a copy "
        "outside the table (docs/deploy-aws.md, step 4): the audit log's links are made and "
        "checked with it.",
    ),
}


def settle(values: dict[str, Any], name: str) -> None:
    """Fill in every secret of `values`, or raise ConfigError naming the variable to set."""
    from .config import ConfigError  # config imports this module

    for key, (filename, why) in SECRETS.items():
        given = values.get(key) or ""
        if given.strip():
            values[key] = given
        elif values["SECRET_KEY_FILE"]:
            values[key] = local_secret(Path(values["DATA_DIR"]), filename)
        else:
            raise ConfigError(
                f"BAKSO_{key} is not set (BAKSO_CONFIG={name}). {why} No key is made up here."
            )
    _settle_edge_secret(values)


# The WAF rule and the origin header of infra/bakso.yaml take the same value (EdgeOriginSecret).
EDGE_SECRET_MIN_LENGTH = 32


def _settle_edge_secret(values: dict[str, Any]) -> None:
    """The CloudFront origin secret: optional (none: no edge is trusted), never guessable."""
    from .config import ConfigError

    secret = str(values.get("EDGE_ORIGIN_SECRET") or "").strip()
    if secret and len(secret) < EDGE_SECRET_MIN_LENGTH:
        raise ConfigError(
            f"BAKSO_EDGE_ORIGIN_SECRET is shorter than {EDGE_SECRET_MIN_LENGTH} characters: "
            "whoever guesses it is counted as any address they like. Use the stack's "
            'EdgeOriginSecret (docs/deploy-aws.md, "CloudFront in front of the API"), or '
            "leave it empty when no CloudFront distribution is in front of the API."
        )
    values["EDGE_ORIGIN_SECRET"] = secret


def local_secret(data_dir: Path, name: str = "secret_key") -> str:
    """A secret kept beside the local data, so it survives restarts."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / name
    # Written whole under another name, then linked into place: a process starting
    # at the same time never reads a half-written (or empty) key.
    fd, scratch = tempfile.mkstemp(prefix=f".{name}.", dir=data_dir)  # mode 0o600
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        with contextlib.suppress(FileExistsError):  # made earlier, or by another process
            os.link(scratch, path)
    finally:
        os.unlink(scratch)
    return path.read_text().strip()
