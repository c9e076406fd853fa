"""`make bench`: the platform measured at scale, every figure against a floor of the same run.

stack.py starts what production runs (gunicorn serving the platform and, under its prefix,
the LinkedIn sandbox; Celery workers on Redis) on a PostgreSQL database filled by
`generate_scale_data`; steps.py measures it; report.py prints the table and writes
bench/results.json; run.py ties them together. docs/performance.md explains the method.
"""
