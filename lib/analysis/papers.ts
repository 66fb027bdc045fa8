/**
 * The five papers this project reproduces: their full references, and the short labels notebooks,
 * tables and model sources cite them by. README's "Papers" section lists the same references (a test
 * keeps the two in step).
 *
 * @module
 */

/** One source paper. */
export interface Paper {
  /** Authors, in the paper's order. */
  authors: string[];
  title: string;
  /** Journal, or the institution of a report, as the paper states it. */
  venue: string;
  /** Year of publication; null where the paper states none. */
  year: number | null;
  /** What is not stated and what we infer, with the evidence. */
  note?: string;
  /** Short label used in the text, e.g. "Sivakumar et al.". */
  label: string;
}

/** The papers by their id in this project (the order they were added). */
export const PAPERS: Readonly<Record<"000" | "001" | "002" | "003" | "004", Paper>> = {
  "000": {
    authors: ["Farzana Binti Abdul Aziz", "Abdul Salam Shah Sayed"],
    title: "Image Classification Using Convolutional Neural Networks: From Fashion-MNIST Benchmarking " +
      "to Smart Retail AI and Edge Deployment",
    venue: "Department of Computer Science, Taylor's University, Malaysia",
    year: null,
    note: "venue and year not stated; it cites work from 2026, so it is no older than that",
    label: "Abdul Aziz & Sayed",
  },
  "001": {
    authors: ["Shivani Awasthi", "Swati Soni"],
    title: "Enhanced CNN Architecture for Image Classification on the Fashion-MNIST Dataset",
    venue: "International Journal of Modern Engineering and Research Technology, vol. 11, no. 3",
    year: 2024,
    label: "Awasthi & Soni 2024",
  },
  "002": {
    authors: ["Uma Sivakumar", "Priyadharshini Ramesh Kumar", "Hasitha Varada"],
    title: "Threads of Understanding: A CNN Approach to Fashion MNIST Image Classification",
    venue: "Texas A&M University, College Station, USA",
    year: null,
    note: "venue and year not stated (a course project); its newest reference is from 2022",
    label: "Sivakumar et al.",
  },
  "003": {
    authors: [
      "Niraj Band",
      "Swikruti Thantharte",
      "Sakshi Kadu",
      "Tejaswini Badpaiya",
      "Sania Sheikh",
      "Riya Drada",
    ],
    title: "CNN Model for Image Classification on Fashion-MNIST Dataset",
    venue: "B.Tech project report, International Institute of Information Technology, Hyderabad " +
      "(academic year 2023-2024)",
    year: 2024,
    label: "Band et al. 2024",
  },
  "004": {
    authors: [
      "Tang Jian Shiun",
      "Tey Jia Yi",
      "Pu Jun Yu",
      "Por Jia Xin",
      "Voon Pei Yi",
      "Zailan Arabee Abdul Salam",
    ],
    title: "Convolutional Neural Network for Fashion Images Classification (Fashion-MNIST)",
    venue: "School of Computing, Asia Pacific University of Technology and Innovation, Kuala Lumpur",
    year: null,
    note:
      "venue and year not stated; its experiments ran in April 2023 and its newest reference is from July 2023",
    label: "Tang et al.",
  },
};

/** The full reference of a paper: authors (year). Title. Venue. */
export function citation(id: keyof typeof PAPERS): string {
  const p = PAPERS[id];
  const authors = p.authors.length > 1
    ? `${p.authors.slice(0, -1).join(", ")} and ${p.authors.at(-1)}`
    : p.authors[0];
  return `${authors} (${p.year ?? "n.d."}). ${p.title}. ${p.venue}.`;
}
