"""Pure domain core: units, patients, products, regimens, PK, planners, pump logic and safety rules.

No I/O, no clock, no environment, no framework. See docs/architecture.md.
"""
