# nbconvert configuration used by lib/tools/headless.ts (`jupyter nbconvert --config lib/tools/headless_hooks.py`).
#
# Before each cell runs, write its index to the file named by FMNIST_CELL_FILE. Library outputs
# (lib/kernel.ts) read it when they are produced and stamp themselves with it, so the runner can
# check that every output sits in the cell that produced it.
#
# After each code cell, append one JSON line to the file named by FMNIST_CELL_STATUS: the cell's
# index, the status of the kernel's execute_reply ("ok" or "error", with ename and evalue), the
# seconds it took and the kernel's resident memory then (MiB, the Deno processes this one started). The reply says a cell failed even when its error output never reached the
# notebook, and a cell that ran past the timeout carries the ename the runner gave error_on_timeout.
#
# Under FMNIST_SANDBOXED=1 (grading, lib/tools/grade_run.ts) the status goes into the executed notebook's
# cell metadata instead (`fmnist_status`), since every file in the sandbox can be written by the student's
# code; and this process makes itself non-dumpable, so the student's code cannot read its memory (the
# hidden tests) or its file descriptors (the pipe the executed notebook leaves by).
import ctypes
import json
import os
import time

_started = {}
_SANDBOXED = os.environ.get("FMNIST_SANDBOXED") == "1"
if _SANDBOXED:
    PR_SET_DUMPABLE = 4
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        raise SystemExit("cannot make the grading process non-dumpable; refusing to grade")


def _mark_cell(cell=None, cell_index=None, **_kwargs):
    path = os.environ.get("FMNIST_CELL_FILE")
    if not path or cell_index is None:
        return
    staged = path + ".partial"
    with open(staged, "w") as f:
        f.write(str(cell_index))
    os.replace(staged, path)


def _kernel_mib():
    """Resident memory (MiB) of this process's descendants, the kernel among them; None off Linux."""
    try:
        parents = {}
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                try:
                    with open(f"/proc/{pid}/stat") as f:
                        parents[int(pid)] = int(f.read().rsplit(")", 1)[1].split()[1])
                except OSError:
                    pass
        mine, frontier = set(), {os.getpid()}
        while frontier:
            frontier = {p for p, parent in parents.items() if parent in frontier} - mine
            mine |= frontier
        total = 0
        for pid in mine:
            try:
                with open(f"/proc/{pid}/status") as f:
                    total += next((int(l.split()[1]) for l in f if l.startswith("VmRSS:")), 0)
            except OSError:
                pass
        return round(total / 1024)
    except OSError:
        return None


def _cell_execute(cell=None, cell_index=None, **_kwargs):
    _started[cell_index] = time.monotonic()


def _cell_executed(cell=None, cell_index=None, execute_reply=None, **_kwargs):
    path = os.environ.get("FMNIST_CELL_STATUS")
    if (not path and not _SANDBOXED) or cell_index is None:
        return
    content = (execute_reply or {}).get("content", {})
    record = {
        "cell": cell_index,
        "status": content.get("status", "unknown"),
        "seconds": round(time.monotonic() - _started.get(cell_index, time.monotonic()), 3),
    }
    if not _SANDBOXED:
        record["kernelMiB"] = _kernel_mib()
    if content.get("status") == "error":
        record["ename"] = str(content.get("ename", ""))
        record["evalue"] = str(content.get("evalue", ""))
    if _SANDBOXED:
        cell.metadata["fmnist_status"] = record
        return
    with open(path, "a") as f:
        f.write(json.dumps(record) + "\n")


c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)
c.ExecutePreprocessor.on_cell_start = _mark_cell
c.ExecutePreprocessor.on_cell_execute = _cell_execute
c.ExecutePreprocessor.on_cell_executed = _cell_executed
