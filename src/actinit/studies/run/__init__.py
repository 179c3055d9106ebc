"""Running a study: building and training one configuration (:mod:`.fitting`), the
parallel runner (:mod:`.runner`, joblib or Dask), the SQLite store that loses nothing
(:mod:`.store`), pruned runs (:mod:`.pruning`), and the checks made before any work
(:mod:`.preflight`). It reads the plan; it knows nothing of what the results say."""
