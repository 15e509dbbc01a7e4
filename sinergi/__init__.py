"""Sinergi: training, cooperation agreements and digital services for a university library."""

__version__ = "0.1.0"
