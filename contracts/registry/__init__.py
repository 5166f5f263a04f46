"""Registry contracts: counties, schools, teachers and pairing communities (教研共同体).

Public contracts are in :mod:`contracts.registry.v1` (import from there); contact data
(phone, e-mail, national id) is never in them but in :mod:`contracts.registry.internal`,
published only on the internal subject ``int.<county>.registry...`` (ADR 0005). The package
imports that module so every process (and the schema export) knows the same wire types;
``INTERNAL_CONTRACTS`` lists them for the contact-field scan.
"""

from contracts.registry import internal as internal
