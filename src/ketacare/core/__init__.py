"""The clinical core: pure Python (stdlib + numpy), no I/O, no clock reads, no PHI logging."""
