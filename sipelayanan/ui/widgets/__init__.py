"""Widgets shared by the pages of the desktop app."""
