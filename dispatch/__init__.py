"""Stations, coverage, visits and the dispatch solver.

Kept free of Flask on import so that `python -m dispatch` and planning workers load only
the solver; the web blueprint lives in `dispatch.views`.
"""
