"""Reads with rules, one module per area; `access` is the one door to a batch's classroom."""
