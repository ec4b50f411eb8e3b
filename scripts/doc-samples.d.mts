// The types of doc-samples.mjs, for test/repo/docs.test.ts.
/** The repository's root. */
export const root: string;
/** Every Markdown page under `dir` (by default docs/), subfolders included. */
export function pages(dir?: string): string[];
/** The text of the region `source` (`path#name`, the path from the root), as a page shows it. */
export function region(source: string): string;
