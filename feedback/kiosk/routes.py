"""Kiosk views."""
