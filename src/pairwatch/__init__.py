"""pairwatch: compare two market or macro metrics side by side."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
