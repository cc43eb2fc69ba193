"""Engine: the pipeline and its executors (a process pool, Dask), the score cache and the streaming path.

- :mod:`.pipeline` — :func:`run`, every stage in memory → :class:`Results`;
- :mod:`.pool` — scoring in batches on all cores or a Dask cluster;
- :mod:`.tasks` — what a worker does with a batch;
- :mod:`.cache` — scored articles on disk, keyed by content and scorer (the compiled scorer: :mod:`analysis.score.compiled`);
- :mod:`.stream` — any corpus size in bounded memory.
"""
