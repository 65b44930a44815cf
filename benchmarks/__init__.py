"""Scale and speed figures for SiPelayanan, run on demand (not part of the test suite).

``python -m benchmarks.generate`` writes ten years of an office's history;
``python -m benchmarks.run`` measures every figure and writes ``benchmarks/RESULTS.md``.
"""
