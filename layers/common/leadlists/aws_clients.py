"""AWS clients made by botocore's session, without importing boto3.

boto3's package (its session, resource factory and S3 transfer layer) adds about a tenth of a bare
handler's cold start, and the layer calls only low-level clients. `boto3.client` is this same
call on a default botocore session, so region, credentials, retries and AWS_ENDPOINT_URL (the
local runtime's emulator) resolve as they did. Only the export upload, which uses boto3's managed
transfer, imports boto3, on that path.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from botocore.session import get_session

if TYPE_CHECKING:
    from botocore.config import Config
    from botocore.session import Session


@lru_cache(maxsize=1)
def _session() -> Session:
    return get_session()


def client(service: str, config: Config | None = None) -> Any:
    return _session().create_client(service, config=config)
