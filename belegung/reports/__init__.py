"""Reports: the monthly figures, the federal statistic of housed homeless people, and
their downloads."""
