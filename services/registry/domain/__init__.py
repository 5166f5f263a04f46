"""The registry's pure domain: aggregates (state, evolve), decisions and named rules.

No I/O, no clock, no ids drawn here: handlers pass today's date and the states of the
other aggregates a decision needs.
"""
