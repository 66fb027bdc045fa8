# nbconvert configuration used by lib/tools/headless.ts (`jupyter nbconvert --config lib/tools/headless_hooks.py`).
#
# Before each cell runs, write its index to the file named by FMNIST_CELL_FILE. Library outputs
# (lib/kernel.ts) read it when they are produced and stamp themselves with it, so the runner can
# check that every output sits in the cell that produced it.
import os


def _mark_cell(cell=None, cell_index=None, **_kwargs):
    path = os.environ.get("FMNIST_CELL_FILE")
    if not path or cell_index is None:
        return
    staged = path + ".partial"
    with open(staged, "w") as f:
        f.write(str(cell_index))
    os.replace(staged, path)


c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)
c.ExecutePreprocessor.on_cell_start = _mark_cell
