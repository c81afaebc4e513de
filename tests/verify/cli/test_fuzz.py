"""The command line never crashes: bad paths, unwritable outputs, extreme numbers and closed pipes
give exit code 2, one line on stderr, no traceback and nothing partial written (verify/cli)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from verify.cli import main

#: Numbers a user may type that no option accepts everywhere.
EXTREME = ["nan", "inf", "-inf", "-1", "0", "1e308", "1e-300", "-1e-300", "abc", "1/0", "", "1e999"]


def _run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str]:
    code = main(argv)
    return code, capsys.readouterr().err


def _one_clean_line(err: str) -> bool:
    return err.count("\n") == 1 and "Traceback" not in err and err.startswith(("resnet-pl", "usage"))


@pytest.mark.parametrize("argv", [
    ["kappa", "--nu", "3/2"],
    ["kappa", "--dps", "0"],
    ["kappa", "--kernel", "nosuchmodule:thing"],
    ["kappa", "--kernel", "os:path"],
    ["lambda", "--n", "1", "--delta", "0.5", "--dim", "2"],
    ["lambda", "--n", "5", "--delta", "1e-300", "--dim", "2"],
    ["lambda", "--n", "5", "--delta", "0.5", "--dim", "0"],
    ["pl", "--dataset", "nosuchset"],
    ["pl", "--data", "/nonexistent/file.csv"],
    ["pl", "--dataset", "xor", "--depth", "-3"],
    ["pl", "--dataset", "xor", "--architecture", "copy", "--alpha", "2"],
    ["lzb", "--dataset", "xor", "--form", "flow"],
    ["lzb", "--dataset", "xor", "--target", "-1"],
    ["recipe", "--dataset", "xor", "--families", "lifted"],
    ["certify", "--p", "3"],
    ["certify", "--dataset", "xor", "--data", "x.csv"],
    ["certify", "--dataset", "moons", "--n", "1"],
    ["certify", "--dataset", "moons", "--nu", "2"],
    ["certify", "--check", "/nonexistent/certificate.json"],
    ["verify", "--only", "nosuchsuite"],
    ["nosuchcommand"],
])
def test_bad_arguments_exit_2_with_one_line(capsys, argv):
    code, err = _run(capsys, argv)
    assert code == 2 and _one_clean_line(err), err


@given(option=st.sampled_from(["--nu", "--lengthscale", "--dps"]), value=st.sampled_from(EXTREME))
def test_extreme_numbers_on_kappa(option, value):
    proc_err: list[str] = []
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stderr(buf), contextlib.redirect_stdout(io.StringIO()):
        code = main(["kappa", option, value])
    proc_err.append(buf.getvalue())
    assert code in (0, 2)
    if code == 2:
        assert _one_clean_line(proc_err[0]), proc_err[0]


@given(option=st.sampled_from(["--delta", "--n", "--dim"]), value=st.sampled_from(EXTREME))
def test_extreme_numbers_on_lambda(option, value):
    import contextlib
    import io

    argv = {"--delta": "0.5", "--n": "4", "--dim": "1"}
    argv[option] = value
    buf = io.StringIO()
    with contextlib.redirect_stderr(buf), contextlib.redirect_stdout(io.StringIO()):
        code = main(["lambda", *[x for kv in argv.items() for x in kv]])
    assert code in (0, 2)
    if code == 2:
        assert _one_clean_line(buf.getvalue()), buf.getvalue()


def test_output_into_a_file_path_is_bad_input_and_writes_nothing(capsys, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    code, err = _run(capsys, ["certify", "--dataset", "xor", "--gd-iterations", "0", "--no-recipe", "--quiet",
                              "--grid-size", "5", "--out", str(blocker / "certificate")])
    assert code == 2 and _one_clean_line(err), err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-directory"]


def test_plot_into_a_missing_directory_is_bad_input(capsys, tmp_path):
    code, err = _run(capsys, ["lambda", "--n", "4", "--delta", "0.5", "--dim", "1", "--plot",
                              str(tmp_path / "missing" / "x.png")])
    assert code == 2 and _one_clean_line(err) and "x.png" in err, err


def test_a_closed_output_pipe_is_one_line_not_a_traceback():
    # `resnet-pl kappa | head -c 0`: the reader is gone before the output is written
    proc = subprocess.Popen([sys.executable, "-m", "verify", "kappa", "--dps", "2000"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read()
    code = proc.wait(timeout=120)
    assert code == 2 and "Traceback" not in err and err.count("\n") == 1 and "pipe" in err, err


def test_help_and_version_exit_0(capsys):
    assert main(["--version"]) == 0 and capsys.readouterr().out.startswith("resnet-pl ")
    assert main(["certify", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--dataset xor --architecture copy --p 20000" in out  # the example, named


def test_every_option_has_help_text_with_its_default():
    import argparse

    from verify.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    missing = []
    for name, sp in sub.choices.items():
        for action in sp._actions:
            if isinstance(action, argparse._HelpAction) or not action.option_strings:
                continue
            text = action.help or ""
            if not text or (action.default not in (None, False) and "default" not in text and not action.required):
                missing.append(f"{name} {action.option_strings[0]}")
    assert missing == []


def test_python_dash_m_entry_point(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "verify", "--version"], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[3])
    assert proc.returncode == 0 and proc.stdout.startswith("resnet-pl ")
