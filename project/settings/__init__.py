"""Settings, split by running mode: base (shared), dev, test, production.

Every value comes from an environment variable (DESIGN.md, "Environment variables");
no other module reads the environment.
"""
