"""Domain operations: plain functions that take explicit arguments and never touch the request."""
