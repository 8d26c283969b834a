"""Lawsmith's workflows: sessions, exploration, proposers, the learning loop, evaluation, reports.

Not built yet: each arrives with its own issue (see the README's status table).
"""
