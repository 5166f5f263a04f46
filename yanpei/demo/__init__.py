"""The demo: a sample county imported from a shipped workbook, a semester of activities,
the quota and hours reports, the notifications, and a replay after a rule change."""
