"""Registry service: counties, schools, teachers and pairing communities (教研共同体),
with their history.
"""
