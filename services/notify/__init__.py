"""Notify service: deadlines, reminders, activity notices and shortfall alerts over
e-mail and webhooks.
"""
