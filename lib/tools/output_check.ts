/**
 * Checks on an executed notebook: error outputs nbconvert may have let through, and whether every output
 * the library produced (the kernel's ledger) is in the notebook once, in the cell that produced it.
 *
 * @module
 */

/** The parts of a notebook file the checks read. */
export interface NotebookJson {
  cells: {
    cell_type: string;
    outputs?: {
      output_type: string;
      ename?: string;
      evalue?: string;
      metadata?: { fmnist?: { output?: number; cell?: number } };
    }[];
  }[];
}

/** Check an executed notebook for error outputs nbconvert may have let through. */
export function firstErrorOutput(nb: NotebookJson): string | undefined {
  for (const cell of nb.cells) {
    for (const out of cell.outputs ?? []) {
      if (out.output_type === "error") return `${out.ename}: ${out.evalue}`;
    }
  }
  return undefined;
}

/** Where an executed notebook's outputs ended up, against what the kernel produced. */
export interface OutputCheck {
  /** Outputs the library produced (the ledger's entries). */
  produced: number;
  /** Outputs produced but absent from the notebook: `output` number and the cell that made it. */
  lost: { output: number; cell: number }[];
  /** Outputs found in another cell than the one that produced them. */
  misplaced: { output: number; cell: number; foundIn: number }[];
  /** Outputs found more than once. */
  duplicated: number[];
}

/**
 * Compare an executed notebook with the ledger its kernel wrote (`FMNIST_OUTPUT_LEDGER`, one
 * `<output> <cell>` line per output, see `lib/kernel.ts`): every output the library produced must
 * be in the notebook exactly once, in the cell that produced it.
 */
export function checkOutputs(notebookJson: string, ledger: string): OutputCheck {
  const nb = JSON.parse(notebookJson) as NotebookJson;
  const produced = new Map<number, number>();
  for (const line of ledger.split("\n")) {
    const [output, cell] = line.trim().split(/\s+/).map(Number);
    if (Number.isInteger(output) && Number.isInteger(cell)) produced.set(output, cell);
  }
  const found = new Map<number, number>();
  const duplicated: number[] = [];
  const misplaced: OutputCheck["misplaced"] = [];
  nb.cells.forEach((cell, index) => {
    for (const out of cell.outputs ?? []) {
      const n = out.metadata?.fmnist?.output;
      if (typeof n !== "number") continue;
      if (found.has(n)) duplicated.push(n);
      found.set(n, index);
      const from = produced.get(n) ?? out.metadata?.fmnist?.cell;
      if (from !== undefined && from !== index) misplaced.push({ output: n, cell: from, foundIn: index });
    }
  });
  const lost = [...produced].filter(([n]) => !found.has(n)).map(([output, cell]) => ({ output, cell }));
  return { produced: produced.size, lost, misplaced, duplicated };
}

/** One line describing an output check's failures, or null when every output is in its cell. */
export function describeOutputCheck(check: OutputCheck): string | null {
  const parts: string[] = [];
  if (check.lost.length) {
    parts.push(
      `${check.lost.length} of ${check.produced} outputs lost (` +
        check.lost.map((l) => `#${l.output} of cell ${l.cell}`).join(", ") + ")",
    );
  }
  if (check.misplaced.length) {
    parts.push(
      `${check.misplaced.length} misplaced (` +
        check.misplaced.map((m) => `#${m.output} of cell ${m.cell} shown in cell ${m.foundIn}`).join(", ") +
        ")",
    );
  }
  if (check.duplicated.length) parts.push(`${check.duplicated.length} duplicated`);
  return parts.length ? parts.join("; ") : null;
}
