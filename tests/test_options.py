"""Any option value, on the command line or in the config file: it works, or it is one ``error:`` line with a
documented exit code — never a traceback, and never after the corpus was read.

Values that pass the checks stop at the first library call (monkeypatched), so each example costs milliseconds.
"""

import contextlib
import io
import json
import re

import pytest
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import analysis.engine.pipeline as pipeline
import analysis.ingest as ingest
from analysis.cli import main
from analysis.config import Config

EXIT_CODES = {1, 2, 3, 4}  # the README's table; 2 is what a bad option gives


class Validated(Exception):
    """Raised by the monkeypatched library calls: the options passed every check."""


def _stop(*args, **kwargs):
    raise Validated


def _exit_code(argv: list[str]) -> tuple[int | None, str]:
    stderr = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        for name in ("run", "compare", "run_stream", "score_articles", "read_corpus"):
            patch.setattr(pipeline, name, _stop)
        patch.setattr(ingest, "read_corpus", _stop)
        with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
            try:
                code = main(argv)
            except Validated:
                code = None
    return code, stderr.getvalue()


def _check(code: int | None, err: str) -> None:
    assert "Traceback" not in err
    if code is None:
        return
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert code in EXIT_CODES and len(errors) == 1, (code, err)
    assert all(line.startswith(("error:", "warning:")) for line in err.splitlines() if line.strip()), err


NUMBERS = st.one_of(st.integers(-10, 10).map(str), st.integers(-2**70, 2**70).map(str), st.sampled_from(["1e3", "x", "", "0.5"]))
WORDS = st.one_of(st.sampled_from(["ME", "QE", "YE", "W", "XX", "", "local", "dask", "spark", "2020", "2025",
                                   "2020-2021", "2025-2020", "2021Q3", "2021-13", "before 2022-02-24",
                                   "after 2022-02-24", "before the invasion", "nonsense", "tcp://127.0.0.1:1",
                                   "127.0.0.1:notaport", "pdf", "gif", "pdf,png", "text=body", "body",
                                   "title=", "=x"]),
                  st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                          max_size=12))
OPTIONS = {"--freq": WORDS, "--min-articles": NUMBERS, "--n-boot": NUMBERS, "--seed": NUMBERS, "--jobs": NUMBERS,
           "--engine": WORDS, "--scheduler": WORDS, "--column": WORDS, "--a": WORDS, "--b": WORDS}
COMMANDS = {"report": ["--out", "{tmp}/out"], "compare": [], "figures": ["--figures", "{tmp}/fig"],
            "score": ["--output", "{tmp}/s.csv"], "ingest": ["--output", "{tmp}/a.csv"],
            "stream": ["--output", "{tmp}/stream"]}


@st.composite
def command_lines(draw):
    command = draw(st.sampled_from(sorted(COMMANDS)))
    argv = [command, *COMMANDS[command]]
    chosen = draw(st.lists(st.sampled_from(sorted(OPTIONS)), max_size=4, unique=True))
    if command == "compare":
        chosen = sorted(set(chosen) | {"--a", "--b"})
    elif command != "report":
        chosen = [o for o in chosen if o not in ("--a", "--b")]
    for option in chosen:
        argv += [option, draw(OPTIONS[option])]
    if command == "figures" and draw(st.booleans()):
        argv += ["--formats", draw(WORDS)]
    if command == "stream" and draw(st.booleans()):
        argv += ["--batch-size", draw(NUMBERS)]
    return argv


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(argv=command_lines())
def test_any_option_works_or_is_one_error_line(tmp_path, argv):
    argv = [a.replace("{tmp}", str(tmp_path)) if a.startswith("{tmp}") else a for a in argv]
    corpus = str(ROOT / "seeds")
    argv = [argv[0], corpus, *argv[1:]] if argv[0] in ("score", "ingest", "stream") else [*argv, "--corpus", corpus]
    _check(*_exit_code(argv))


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)  # JSON's escapes are TOML's basic-string escapes
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + "}"


SCALARS = st.one_of(st.booleans(), st.integers(-5, 5), st.integers(-2**62, 2**62), WORDS)
VALUES = st.one_of(SCALARS, st.lists(WORDS, max_size=3),
                   st.dictionaries(st.sampled_from(["a", "b", "c", "text", "body", "x y"]),
                                   st.one_of(SCALARS, st.lists(WORDS, min_size=2, max_size=2)), max_size=3))
KEYS = sorted(f for f in Config.__dataclass_fields__ if f not in ("path", "origins"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(setting=st.dictionaries(st.sampled_from(KEYS), VALUES, min_size=1, max_size=3))
def test_any_config_value_works_or_is_one_error_line_naming_the_file(tmp_path, setting):
    path = tmp_path / "mine.toml"
    path.write_text("[analysis]\n" + "".join(f"{key} = {_toml(value)}\n" for key, value in setting.items()),
                    encoding="utf-8")
    code, err = _exit_code(["report", "--config", str(path), "--corpus", str(ROOT / "seeds"),
                            "--out", str(tmp_path / "out")])
    _check(code, err)
    if code == 2:
        assert re.search(rf"^error: {re.escape(str(path))}: ", err, flags=re.M), err


def test_every_setting_has_a_checked_type():
    """A setting added to Config without a type made check_value raise KeyError (tone_all, report_max_sentences)."""
    from dataclasses import fields

    from analysis.config import Config, check_value

    for field in fields(Config):
        if field.name in ("path", "origins"):  # where the config came from, not settings
            continue
        value = Config().__getattribute__(field.name)
        if value is None:
            continue
        check_value(field.name, value, f"analysis.toml: {field.name}")  # the default passes its own check
