# nbconvert configuration used by lib/tools/headless.ts (`jupyter nbconvert --config lib/tools/headless_hooks.py`).
#
# Before each cell runs, write its index to the file named by FMNIST_CELL_FILE. Library outputs
# (lib/kernel.ts) read it when they are produced and stamp themselves with it, so the runner can
# check that every output sits in the cell that produced it.
#
# After each code cell, append one JSON line to the file named by FMNIST_CELL_STATUS: the cell's
# index, the status of the kernel's execute_reply ("ok" or "error", with ename and evalue) and the
# seconds it took. The reply says a cell failed even when its error output never reached the
# notebook, and a cell that ran past the timeout carries the ename the runner gave error_on_timeout.
import json
import os
import time

_started = {}


def _mark_cell(cell=None, cell_index=None, **_kwargs):
    path = os.environ.get("FMNIST_CELL_FILE")
    if not path or cell_index is None:
        return
    staged = path + ".partial"
    with open(staged, "w") as f:
        f.write(str(cell_index))
    os.replace(staged, path)


def _cell_execute(cell=None, cell_index=None, **_kwargs):
    _started[cell_index] = time.monotonic()


def _cell_executed(cell=None, cell_index=None, execute_reply=None, **_kwargs):
    path = os.environ.get("FMNIST_CELL_STATUS")
    if not path or cell_index is None:
        return
    content = (execute_reply or {}).get("content", {})
    record = {
        "cell": cell_index,
        "status": content.get("status", "unknown"),
        "seconds": round(time.monotonic() - _started.get(cell_index, time.monotonic()), 3),
    }
    if content.get("status") == "error":
        record["ename"] = str(content.get("ename", ""))
        record["evalue"] = str(content.get("evalue", ""))
    with open(path, "a") as f:
        f.write(json.dumps(record) + "\n")


c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)
c.ExecutePreprocessor.on_cell_start = _mark_cell
c.ExecutePreprocessor.on_cell_execute = _cell_execute
c.ExecutePreprocessor.on_cell_executed = _cell_executed
