"""Deflect: a static, multilingual self-service help center with ticket-driven insights."""

__version__ = "0.1.0"
