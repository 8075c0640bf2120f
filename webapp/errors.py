"""Errors that services raise and routes turn into messages."""

from __future__ import annotations


class ServiceError(Exception):
    """A request a service refuses; `message` is safe to show to the user."""

    status = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(ServiceError):
    status = 404


class Forbidden(ServiceError):
    status = 403


class Conflict(ServiceError):
    status = 409
