"""baclofen: clinical decision support for baclofen therapy in MS spasticity.

Decision support for professionals, not medical advice. See README.md.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
