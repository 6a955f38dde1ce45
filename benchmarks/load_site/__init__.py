"""Settings and WSGI entry point of ``benchmarks/load.py`` (not an app).

Not part of the package: the example site's production settings with what
a load test needs (see ``settings.py``).
"""
