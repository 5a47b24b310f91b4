"""Database models, one module per aggregate."""

from feedback.models.center import Center, Service
from feedback.models.submission import Channel, Submission

__all__ = ["Center", "Channel", "Service", "Submission"]
