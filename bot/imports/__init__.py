"""Turning web pages and feeds into knowledge files: fetch → extract (page or feed) → write."""
