"""Contracts of the runtime itself: services announcing themselves on the event log."""
