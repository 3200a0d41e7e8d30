"""QMSS – quality and network management of Czech social services."""

__version__ = "0.1.0"
