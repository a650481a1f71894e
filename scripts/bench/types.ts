/** One suite per file in scripts/bench/*.bench.ts, default-exported. */
export interface BenchContext {
  root: string;
  /** Smaller sizes for a smoke run. */
  quick: boolean;
  log: (message: string) => void;
}

export interface BenchRow {
  metric: string;
  value: number;
  unit: string;
  /** The same-run measurement this one is compared against. */
  baseline?: { name: string; value: number; unit?: string };
  /** value / baseline.value (or as the suite defines it; say so in `note`). */
  ratio?: number;
  /** The goal as text, e.g. "≤ 1.5×". */
  goal?: string;
  note?: string;
}

export interface BenchSuite {
  name: string;
  description: string;
  run: (ctx: BenchContext) => Promise<BenchRow[]>;
}
