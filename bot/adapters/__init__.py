"""Thin translators between chat platforms (or a terminal) and the core's Assistant."""
