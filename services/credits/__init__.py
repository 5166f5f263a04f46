"""Credits service: hour rules (学时) as versioned data, an explainable ledger, review,
certification and replay.
"""
