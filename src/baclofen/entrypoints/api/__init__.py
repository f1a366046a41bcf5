"""The REST API of the clinic service (issue 11 item 7): see :mod:`.app`."""

from baclofen.entrypoints.api.app import API_PREFIX, create_app
from baclofen.entrypoints.api.security import ApiSettings

__all__ = ["API_PREFIX", "ApiSettings", "create_app"]
