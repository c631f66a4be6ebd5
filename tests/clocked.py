"""Run a Python program with the clock the test run is frozen at.

``python -m tests.clocked celery -A portal worker …`` (a module) or ``python -m tests.clocked
manage.py precheck …`` (a script).  When ``PORTAL_TEST_NOW`` is set (``tests/conftest.py`` sets it
for the subprocesses it starts while ``PORTAL_TEST_TODAY`` freezes the run), the program starts at
that instant and its clock ticks from there, like the test process's; otherwise it runs as is.
"""

from __future__ import annotations

import os
import runpy
import sys


def main() -> None:
    now = os.environ.get("PORTAL_TEST_NOW")
    if now:
        import time_machine  # only when frozen: a plain run of the program needs nothing of it

        time_machine.travel(float(now), tick=True).start()
    program, *args = sys.argv[1:]
    sys.argv = [program, *args]
    if program.endswith(".py"):
        runpy.run_path(program, run_name="__main__")
    else:
        runpy.run_module(program, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
