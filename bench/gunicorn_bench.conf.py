"""gunicorn settings of the benchmarks: none beyond the command line (bench/serve.py),
so that every app served (this checkout, a baseline, the bare route) runs the same."""
