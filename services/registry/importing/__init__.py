"""Bulk import of counties, schools, teachers, communities, memberships and transfers from
CSV and XLSX: validate every row, then send the commands concurrently, idempotently."""
