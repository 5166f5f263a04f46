"""Command handlers: one function per use case (load → decide → append)."""
