"""LCNC's workflow engine: definitions, rules and execution in pure Python.

Nothing in this package imports Django (a test asserts it). Clock and ids come in,
effects go out as plain data.
"""
