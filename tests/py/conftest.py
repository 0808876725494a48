# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""pytest glue for tests/py: puts this folder on sys.path and prints the
conformance counts (per zone and behaviour class) after the run."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

REPORT = []          # lines added by test_conformance.py


def pytest_terminal_summary(terminalreporter):
    if not REPORT:
        return
    terminalreporter.section("rootxdp conformance")
    for line in REPORT:
        terminalreporter.write_line(line)
