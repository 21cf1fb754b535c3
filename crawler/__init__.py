"""Turns "a package somewhere" into tool definitions, without running its code."""
