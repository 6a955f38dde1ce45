"""Benchmark-only Django app and settings for ``benchmarks/pages.py``.

Not part of the package: it holds the plain baseline page type the package's
pages are compared with, a local embed finder, and the settings the
benchmark runs under (``benchmarks.pages_site.settings``).
"""
