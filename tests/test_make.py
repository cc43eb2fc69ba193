"""The Makefile: every target documented, targets that follow their real output files, and
installs held to constraints.txt."""

import os
import re
import subprocess
import time
import tomllib

from conftest import ROOT
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from analysis.cli import COMMANDS
from analysis.io import TABLES
from analysis.present.chartdata import FIGURES

MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _variable(name: str) -> list[str]:
    return re.search(rf"^{name} := (.+)$", MAKEFILE, flags=re.M).group(1).split()


def _make_dry_run(*arguments: str) -> str:
    """What ``make -n`` would run, taking the installed .venv as up to date."""
    result = subprocess.run(["make", "-n", "-o", ".venv/.runtime", *arguments], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    return result.stdout


def _outputs(folder, names):
    """Files of every name in ``folder``, newer than any source."""
    now = time.time() + 5
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
        os.utime(path, (now, now))


def test_every_target_is_documented_in_make_help_and_the_readme():
    phony = set(re.search(r"^\.PHONY: (.+)$", MAKEFILE, flags=re.M).group(1).split())
    documented = dict(re.findall(r"^([a-z-]+):.*?## (.+)$", MAKEFILE, flags=re.M))
    assert phony == set(documented), "every target a user runs has a ## line, and only those"
    help_text = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for target in documented:
        assert re.search(rf"^  make {target} +\S", help_text, flags=re.M), target
        assert f"`make {target}`" in README, target
    for target in set(re.findall(r"(?:`|^)make ([a-z][a-z-]*)", README, flags=re.M)):
        assert target in documented, f"the README names make {target}, which the Makefile lacks"
    assert {"report", "test", "test-all", "notebook", "lock", "figures", "lint", "clean", "help"} <= set(documented)


def test_every_command_is_documented_in_the_readme():
    for command in COMMANDS:
        assert f"python -m analysis {command}" in README or f"relationship-dynamics {command}" in README, command


def test_the_first_screen_gives_the_two_commands_before_anything_else():
    first_block = README.split("```sh\n", 1)[1].split("```", 1)[0]
    assert [line.split("#")[0].strip() for line in first_block.splitlines()] == ["make report", "make test"]
    assert README.index("```sh\nmake report") < README.index("\n## ")


def test_the_makefile_lists_the_outputs_the_code_writes():
    assert _variable("TABLES") == list(TABLES)
    assert _variable("FIGURE_STEMS") == list(FIGURES)


def test_figures_follow_their_files(tmp_path):
    names = [f"{stem}.{ext}" for stem in FIGURES for ext in ("pdf", "svg", "png", "txt")]
    _outputs(tmp_path, names)
    assert "analysis figures" not in _make_dry_run("figures", f"FIGURES={tmp_path}")
    (tmp_path / "fig4_mass.svg").unlink()
    assert f"analysis figures --corpus seeds --figures {tmp_path}" in _make_dry_run("figures", f"FIGURES={tmp_path}")


def test_the_report_follows_its_files(tmp_path):
    names = ["report.html"] + [f"data/{table}.{ext}" for table in TABLES for ext in ("csv", "parquet")]
    _outputs(tmp_path, names)
    assert "analysis report" not in _make_dry_run("report", f"OUT={tmp_path}")
    (tmp_path / "data" / "trends.parquet").unlink()
    assert f"analysis report --corpus seeds --out {tmp_path}" in _make_dry_run("report", f"OUT={tmp_path}")


def test_a_changed_input_rebuilds_the_report(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Turkey and Russia met.\n", encoding="utf-8")
    out = tmp_path / "out"
    names = ["report.html"] + [f"data/{table}.{ext}" for table in TABLES for ext in ("csv", "parquet")]
    _outputs(out, names)
    assert "analysis report" not in _make_dry_run("report", f"CORPUS={corpus}", f"OUT={out}")
    later = time.time() + 60
    os.utime(corpus / "a.txt", (later, later))
    assert "analysis report" in _make_dry_run("report", f"CORPUS={corpus}", f"OUT={out}")


# ------------------------------------------------------------------ constraints.txt

def _pins() -> dict[str, str]:
    lines = (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    pins = {}
    for line in lines:
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version and " " not in line, f"constraints.txt pins exact versions only: {line!r}"
            pins[canonicalize_name(name)] = version
    return pins


def _requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    listed = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    return [Requirement(r) for r in listed if canonicalize_name(Requirement(r).name) != canonicalize_name(project["name"])]


def test_every_dependency_is_pinned_within_its_range():
    pins = _pins()
    for requirement in _requirements():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not in constraints.txt: run make lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), (requirement, pins[name])


def test_every_install_is_held_to_the_constraints():
    assert "-c $(LOCK)" in " ".join(_variable("PIP")) and _variable("LOCK") == ["constraints.txt"]
    lock_recipe = MAKEFILE.split("\nlock:", 1)[1].split("\n\n", 1)[0]
    for line in MAKEFILE.splitlines():
        if "pip install" in line and not line.startswith("PIP :="):
            assert line in lock_recipe, f"an install that bypasses constraints.txt: {line.strip()}"
    installs = [line for line in MAKEFILE.splitlines() if line.startswith("\t$(PIP)")]
    assert any(line.endswith(" -e .") for line in installs)  # make report: the runtime dependencies alone
