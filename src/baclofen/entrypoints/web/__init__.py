"""The web pages (server-rendered, Jinja2 and a vendored htmx) on the same services as the REST API.

:func:`create_site` is the application ``baclofen serve`` runs: the API at ``/api/v1`` and the pages at ``/``.
"""

from baclofen.entrypoints.web.app import create_site, install_web

__all__ = ["create_site", "install_web"]
