"""KetaCare: an open-source platform for ketamine and esketamine therapy clinics."""

__version__ = "0.1.0"
