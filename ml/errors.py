"""Domain exceptions. Each message says what went wrong and how to fix it."""

__all__ = ["ModelError", "DataError"]


class ModelError(ValueError):
    """A model folder is missing, incomplete, corrupt or holds types we don't trust."""


class DataError(ValueError):
    """A CSV file can't be read, lacks a column, or holds an empty text or a label other than 0/1."""
