"""Load benchmarks for Sinergi (docs/BENCHMARKS.md). Not part of the installed package."""
