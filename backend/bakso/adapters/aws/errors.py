"""botocore's errors, turned into BAKSO errors so that views never see them."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import BotoCoreError, ClientError

from ...domain.errors import StoreUnavailable
from ...domain.refusals import STORE_FAILING, STORE_UNREACHABLE

# StoreUnavailable lives in domain.errors (both adapter sets raise it); it is
# re-exported here for the code that imported it from this module.
__all__ = ["StoreUnavailable", "error_code", "translated"]

log = logging.getLogger(__name__)


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
        raise StoreUnavailable(STORE_FAILING) from None
    except BotoCoreError as error:
        log.error("%s failed: %s", what, type(error).__name__)
        raise StoreUnavailable(STORE_UNREACHABLE) from None
