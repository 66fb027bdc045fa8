/**
 * Imported before `danfojs-node`: its dependencies load Node's deprecated `punycode` module, and Deno's
 * Node layer then prints a DEP0040 warning on every task's stderr (a line that reads like a failure, and
 * that nbgrader scores as one). Our own code uses no deprecated Node API, so deprecation warnings are
 * turned off for the process.
 *
 * @module
 */
import process from "node:process";

process.noDeprecation = true;
