# nbgrader configuration for this repository's TypeScript notebooks (Deno kernel).
#
# The same exercise format as `deno task assign` and `deno task grade` (lib/tools/nbgrader.ts):
# see COURSEWORK.md, "Grading with nbgrader". Register the kernel on the grading machine with
# `deno task kernel` first: it adds message interrupts (so a timed-out cell can be stopped) and
# NO_COLOR=1 (so values come back without ANSI colour codes).
import os
import tempfile

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)
ROOT = os.path.dirname(os.path.abspath(__file__))

# Student versions (nbgrader generate_assignment). The code stub is chosen by the notebook's kernel
# language, which is "typescript" for the Deno kernel; nbgrader has no stub for it by default.
c.ClearSolutions.code_stub = {
    "python": "# YOUR CODE HERE\nraise NotImplementedError()",
    "typescript": "notImplemented();",
}
# nbgrader spells these options "delimeter". A line containing the delimiter starts or ends a region.
c.ClearSolutions.begin_solution_delimeter = "// BEGIN SOLUTION"
c.ClearSolutions.end_solution_delimeter = "// END SOLUTION"
c.ClearHiddenTests.begin_test_delimeter = "// BEGIN HIDDEN TESTS"
c.ClearHiddenTests.end_test_delimeter = "// END HIDDEN TESTS"

# Execution (nbgrader validate and autograde). The paper notebooks rerun from the stored runs in
# seconds per cell; 120 s leaves room for a loaded machine. nbgrader's Execute preprocessor reads
# its own section in `nbgrader validate` and ExecutePreprocessor's in autograde, so both are set.
# error_on_timeout makes nbclient move on after interrupting a cell that ran past the timeout
# (without it, a cell stuck in an `await` that never resolves, which no interrupt stops, is
# interrupted again and again and the run never ends).
# The timeout error needs a `traceback`: nbgrader's on_cell_executed reads it (without it, a KeyError, and
# the student's whole assignment is dropped as failed). raise_on_iopub_timeout=False: one stuck cell must
# not abort the rest of the notebook.
_on_timeout = {
    "ename": "CellTimeoutError",
    "evalue": "the cell ran past the timeout and was interrupted",
    "traceback": ["CellTimeoutError: the cell ran past the timeout and was interrupted"],
}
for _section in (c.ExecutePreprocessor, c.Execute):
    _section.timeout = 120
    _section.error_on_timeout = _on_timeout
    _section.raise_on_iopub_timeout = False

# The kernels nbgrader starts inherit this environment: run submissions as `deno task grade` does, under
# profile smoke, with figures, runs and claim records in a scratch folder rather than the repository.
_scratch = tempfile.mkdtemp(prefix="fmnist-nbgrader-")
os.environ.setdefault("FMNIST_PROFILE", "smoke")
for _name, _sub in (
    ("FMNIST_FIGURES_DIR", "figures"),
    ("FMNIST_RUNS_DIR", "runs"),
    ("FMNIST_CLAIMS_DIR", "claims"),
    ("FMNIST_MEASUREMENTS_DIR", "measurements"),
):
    os.environ.setdefault(_name, os.path.join(_scratch, _sub))


def link_library(**kwargs):
    """Give the folder above nbgrader's output folders (release/, autograded/<student>/) a `lib` link to the
    repository's library, since the notebooks import `../lib/papers/<paper>/mod.ts`. nbgrader 0.8.5 passes `assignment`,
    `student` ("*" in autograde, "." in generate_assignment) and the `notebooks` it converts; later versions
    `output_dir`. The folders follow from the notebooks' paths (source/<assignment>/ becomes release/,
    submitted/<student>/<assignment>/ becomes autograded/<student>/)."""
    parents = set()
    if kwargs.get("output_dir"):
        parents.add(os.path.dirname(os.path.abspath(kwargs["output_dir"])))
    for notebook in kwargs.get("notebooks") or []:
        parts = os.path.abspath(notebook).split(os.sep)
        if "submitted" in parts[:-3]:
            at = len(parts) - 1 - parts[::-1].index("submitted")
            parents.add(os.sep.join(parts[:at] + ["autograded", parts[at + 1]]))
        elif "source" in parts[:-2]:
            at = len(parts) - 1 - parts[::-1].index("source")
            parents.add(os.sep.join(parts[:at] + ["release"]))
    student, assignment = kwargs.get("student"), kwargs.get("assignment")
    if not parents and assignment:
        released = not student or student in (".", "*")
        parents.add(os.path.abspath("release" if released else os.path.join("autograded", student)))
    for parent in parents:
        os.makedirs(parent, exist_ok=True)
        link = os.path.join(parent, "lib")
        if not os.path.lexists(link):
            os.symlink(os.path.join(ROOT, "lib"), link)


c.BaseConverter.pre_convert_hook = link_library
