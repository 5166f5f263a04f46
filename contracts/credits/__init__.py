"""Credits contracts: hours (学时) per teacher per year and cycle, review, certification,
corrections after a rule change.
"""
