"""Adapters: I/O around the core (plots with matplotlib, the Dask population runner, file formats).

Adapters import the domain and their own library; never the entrypoints.
"""
