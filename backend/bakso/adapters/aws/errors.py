"""botocore's errors, turned into BAKSO errors so that views never see them."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import BotoCoreError, ClientError

from ...domain.errors import BaksoError

log = logging.getLogger(__name__)


class StoreUnavailable(BaksoError):
    """AWS refused or failed a call we cannot recover from here (throttled, down, misconfigured).

    503 rather than 500: the device keeps the work in its outbox and retries.
    """

    status = 503
    title = "Layanan sedang tidak tersedia"


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


@contextmanager
def translated(what: str) -> Iterator[None]:
    """Run AWS calls, turning any botocore error left unhandled into StoreUnavailable.

    Only the service's error code is logged: messages can quote keys and values.
    """
    try:
        yield
    except ClientError as error:
        log.error("%s failed: %s", what, error_code(error))
        raise StoreUnavailable(
            "Penyimpanan data sedang bermasalah; coba lagi sebentar lagi."
        ) from None
    except BotoCoreError as error:
        log.error("%s failed: %s", what, type(error).__name__)
        raise StoreUnavailable(
            "Penyimpanan data tidak dapat dihubungi; coba lagi sebentar lagi."
        ) from None
