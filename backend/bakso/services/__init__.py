"""Use cases: what officers and the worker do, run against the ports."""
