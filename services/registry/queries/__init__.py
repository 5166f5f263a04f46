"""Answers as of any date, read from the registry's live projection tables.

The CLI calls :class:`RegistryReader` directly on the projection database; the service
answers the same questions over request-reply (:mod:`services.registry.query_api`).
"""

from services.registry.queries.reader import RegistryReader

__all__ = ["RegistryReader"]
