"""A self-hostable chat bot that answers questions about news coverage, with citations."""

__version__ = "0.1.0"
