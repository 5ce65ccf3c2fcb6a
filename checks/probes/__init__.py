"""Probes gather raw facts (I/O) and never judge. Platform-specific code lives beside this."""
