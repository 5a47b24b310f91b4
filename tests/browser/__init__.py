"""Tests that drive a real Chromium (a package so its conftest does not shadow tests/conftest.py)."""
