"""Parsing the statistics window shared by the CLI and the web: N days or 'max'."""

from __future__ import annotations

from pairwatch.errors import InvalidRequestError

MIN_WINDOW = 5
MAX_WINDOW = 36_500


def parse_window(text: str | int | None) -> int | None:
    """Days as an int in 5..36500, or None for 'max'; InvalidRequestError says why not."""
    if text is None or (isinstance(text, str) and text.strip().lower() == "max"):
        return None
    try:
        days = int(text)
    except (TypeError, ValueError) as exc:
        raise InvalidRequestError(
            f"window must be a whole number of days from {MIN_WINDOW} to {MAX_WINDOW} "
            f"or 'max', got {text!r}"
        ) from exc
    if not MIN_WINDOW <= days <= MAX_WINDOW:
        raise InvalidRequestError(
            f"window must be from {MIN_WINDOW} to {MAX_WINDOW} days or 'max', got {days}"
        )
    return days
