"""The one shape of every error kefu's HTTP routes return: ``{"error": {"code", "message"}}``."""

from __future__ import annotations


def error_body(code: str, message: str, **extra) -> dict:
    return {"error": {"code": code, "message": message, **extra}}
