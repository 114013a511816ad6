"""Reasoning over a criteria set: answers, the engine and the assessment it produces.

Uses only :mod:`candidacy.criteria` (and :mod:`candidacy.errors`).
"""
