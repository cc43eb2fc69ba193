"""Compile a scorer once per run, and keep compiled scorers on disk between runs.

Compiling the default scorer (reading the YAML vocabularies, building five
Aho-Corasick automata) takes about a second; unpickling the compiled scorer
takes a quarter of that. A run used to compile the same scorer two or three
times (the pipeline, the inline worker, the dev-set validation), and every
run compiled it afresh.

A compiled scorer is found by its *source fingerprint*: a hash of its
parameters, the bytes of every file it may read (the bundled ``analysis/data``
folder and any vocabulary file passed by path), the package's source code and
the versions the pickle depends on. It is computed without compiling, so a
changed vocabulary, model or scorer code never meets a stale compiled copy.
On disk it lives in ``CACHE/compiled/<fingerprint>.pickle``, written to a
temporary name and renamed; a damaged or unreadable file is ignored and
rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import sys
from pathlib import Path

from ..errors import ConfigError
from ..io import write_pickle
from ..vocab import vocabulary_fingerprint, vocabulary_paths
from .scorer import Scorer

__all__ = ["source_fingerprint", "compile_cached", "COMPILED_FOLDER"]

COMPILED_FOLDER = "compiled"
_PACKAGE = Path(__file__).resolve().parent.parent
# Compiled scorers of this process by source fingerprint: the pipeline's scorer
# is the inline worker's, and a forked pool worker inherits it.
_MEMORY: dict[str, Scorer] = {}
_KEEP = 4


def _package_digest() -> str:
    """Hash of the package's code and bundled data (what a compiled scorer and its scores follow from)."""
    digest = hashlib.sha256()
    files = sorted(p for p in _PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                   and p.suffix in (".py", ".yaml", ".json", ".csv", ".tsv"))
    for path in files:
        digest.update(str(path.relative_to(_PACKAGE)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def source_fingerprint(params: dict) -> str | None:
    """The fingerprint of the scorer :meth:`Scorer.get_params` ``params`` would compile to, without compiling it.

    Returns None when a vocabulary file it names cannot be read: compiling
    then raises the usual error, and nothing is cached.
    """
    import ahocorasick
    import numpy

    # The package's location too: a compiled scorer holds the absolute paths of the bundled files it read.
    parts = [json.dumps(params, sort_keys=True, default=str), str(_PACKAGE), _package_digest(), sys.version,
             numpy.__version__, getattr(ahocorasick, "__version__", "?")]
    try:  # the files the scorer reads, resolved as the scorer resolves them (analysis.vocab's registry)
        parts.append(vocabulary_fingerprint(vocabulary_paths(**params)))
    except (ConfigError, OSError):
        return None
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]


def _read(path: Path) -> Scorer | None:
    try:
        with path.open("rb") as handle:
            scorer = pickle.load(handle)
    except Exception:  # damaged, truncated, or pickled by other code: compile afresh
        return None
    return scorer if isinstance(scorer, Scorer) and getattr(scorer, "compiled_", False) else None


def _write(path: Path, scorer: Scorer) -> None:
    write_pickle(path, scorer)  # a read-only cache folder costs the next run a compile, nothing else


def compile_cached(scorer: Scorer, cache: str | Path | None = None) -> Scorer:
    """``scorer``, compiled: taken from this process's compiled scorers, else from ``cache``, else compiled.

    Parameters
    ----------
    scorer
        A scorer (compiled or not); its parameters decide which compiled
        scorer is used.
    cache
        The cache folder (compiled scorers go to ``cache/compiled/``), or
        None to keep them in this process only.

    Returns
    -------
    Scorer
        A compiled scorer with ``scorer``'s parameters: ``scorer`` itself when
        it was compiled already or had to be compiled, else the stored one.
    """
    if getattr(scorer, "compiled_", False):
        return scorer
    key = source_fingerprint(scorer.get_params())
    if key is None:
        return scorer.compile()
    found = _MEMORY.get(key)
    path = Path(cache) / COMPILED_FOLDER / f"{key}.pickle" if cache else None
    if found is None and path is not None:
        found = _read(path)
    if found is None:
        found = scorer.compile()
        if path is not None:
            _write(path, found)
    _MEMORY.pop(key, None)
    _MEMORY[key] = found
    while len(_MEMORY) > _KEEP:  # a notebook trying many dyads keeps the latest few, not all
        _MEMORY.pop(next(iter(_MEMORY)))
    return found
