"""Bench-only settings and URLconf, put on sys.path after the unzipped package: the
production settings and URLs untouched, plus one plain Django view (the warm floor)."""
