# nbgrader configuration for this repository's TypeScript notebooks (Deno kernel).
#
# The same exercise format as `deno task assign` and `deno task grade` (lib/tools/nbgrader.ts):
# see COURSEWORK.md, "Grading with nbgrader". Register the kernel on the grading machine with
# `deno task kernel` first: it adds message interrupts (so a timed-out cell can be stopped) and
# NO_COLOR=1 (so values come back without ANSI colour codes).
c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

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
_on_timeout = {"ename": "CellTimeoutError", "evalue": "the cell ran past the timeout and was interrupted"}
for _section in (c.ExecutePreprocessor, c.Execute):
    _section.timeout = 120
    _section.error_on_timeout = _on_timeout
