"""Activities service: the life cycle of teaching-research activities (教研活动),
attendance, materials, assessment and quotas.
"""
