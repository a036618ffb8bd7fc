"""Data sets that ship with segment: Paper A's expert matrix, Paper B's vote
matrix, and a generator of synthetic contracts in Paper B's schema."""

__all__: list[str] = []
