"""Background jobs (badge batches, the report, certificates): state and results in the database, run in a
thread of the web process or, with REDIS_URL, on RQ."""
