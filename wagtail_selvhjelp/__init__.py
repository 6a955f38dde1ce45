"""Self-organised self-help groups for Norwegian municipalities, on Wagtail.

Kept free of Django imports so that ``setup.cfg`` can read ``__version__``
without configuring Django.
"""

VERSION = (0, 1, 0)
__version__ = ".".join(str(part) for part in VERSION)
