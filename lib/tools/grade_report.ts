/**
 * What `deno task grade` writes: `grades.csv` (one row per student, notebook and exercise) and one
 * markdown feedback file per student.
 *
 * @module
 */
import type { GradeRow } from "./grading.ts";

/** The columns of grades.csv, in order. */
export const CSV_COLUMNS = ["student", "notebook", "exercise", "points", "max_points", "status", "message"];

function csvField(value: string | number): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** grades.csv: a header, then one line per row (RFC 4180 quoting). */
export function gradesCsv(rows: GradeRow[]): string {
  const lines = rows.map((r) =>
    [r.student, r.notebook, r.exercise, r.points, r.maxPoints, r.status, r.message].map(csvField).join(",")
  );
  return [CSV_COLUMNS.join(","), ...lines].join("\n") + "\n";
}

/** Parse grades.csv back into rows of column name to text (for checks and tests). */
export function parseGradesCsv(text: string): Record<string, string>[] {
  const records: string[][] = [];
  let field = "", record: string[] = [], quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"', i++);
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") (record.push(field), field = "");
    else if (ch === "\n") (record.push(field), records.push(record), record = [], field = "");
    else if (ch !== "\r") field += ch;
  }
  if (field || record.length) (record.push(field), records.push(record));
  const [header, ...body] = records;
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ""])));
}

const total = (rows: GradeRow[], key: "points" | "maxPoints") =>
  Math.round(rows.reduce((s, r) => s + r[key], 0) * 1000) / 1000;

function cell(text: string): string {
  return text.replaceAll("|", "\\|");
}

/** A student's feedback in markdown: the total, then per notebook each exercise and what happened. */
export function feedbackMarkdown(student: string, rows: GradeRow[], notes: Map<string, string[]>): string {
  const lines = [
    `# Feedback: ${student}`,
    "",
    `Total: **${total(rows, "points")} / ${total(rows, "maxPoints")}** points.`,
  ];
  const notebooks = [...new Set(rows.map((r) => r.notebook))];
  for (const notebook of notebooks) {
    const own = rows.filter((r) => r.notebook === notebook);
    lines.push("", `## ${notebook}: ${total(own, "points")} / ${total(own, "maxPoints")}`, "");
    const exercises = own.filter((r) => r.exercise);
    if (exercises.length) {
      lines.push("| exercise | points | result |", "| --- | ---: | --- |");
      for (const r of exercises) {
        const result = r.message ? `${r.status}: ${r.message}` : r.status;
        lines.push(`| ${r.exercise} | ${r.points} / ${r.maxPoints} | ${cell(result)} |`);
      }
    }
    for (const r of own.filter((r) => !r.exercise)) lines.push(`${r.status}: ${r.message}`);
    const remarks = notes.get(notebook) ?? [];
    if (remarks.length) lines.push("", ...remarks.map((n) => `- ${n}`));
  }
  return lines.join("\n") + "\n";
}
