"""The four services. Each imports ``contracts`` and ``eventlog``, never another service."""

SERVICES = ("registry", "activities", "credits", "notify")
