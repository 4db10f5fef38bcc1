"""What the emulated Palette refuses, as Palette answers it: a status and a Palette error code."""

from __future__ import annotations


class ApiError(Exception):
    """Answered as a Palette error body `{code, message, ref}` with `status`."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def not_found(kind: str, key: str) -> ApiError:
    return ApiError(404, "ResourceNotFound", f"{kind} '{key}' not found")


def bad_request(message: str, code: str = "InvalidRequest") -> ApiError:
    return ApiError(400, code, message)
