"""Teachers' contact data: the internal stream, the protected table, masking (ADR 0005)."""
