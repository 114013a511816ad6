"""The rule language: criteria models, conditions, located YAML reading, checks, schema, catalogue, diff.

The lowest layer of the core: it imports nothing else of candidacy but :mod:`candidacy.errors`.
"""
