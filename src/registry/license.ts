/**
 * Finds an artifact's license offline: the model card's front matter (`license: apache-2.0`), a
 * LICENSE/COPYING file's text, or a "License" section of the README. Scored for compatibility with
 * LGPL-2.1 (the ECE 461 rule): permissive and weak-copyleft licenses 1, strong copyleft and
 * share-alike 0.5, non-commercial/no-derivatives and unknown 0.
 */
export interface LicenseFinding {
  /** Lower-case SPDX-like id, e.g. "mit", "apache-2.0"; undefined when none was found. */
  id?: string;
  score: number;
  /** Where it was found ("front matter", "LICENSE", "README section"). */
  source?: string;
}

const SCORES: [RegExp, number][] = [
  [/^(mit|apache-2\.0|bsd-[23]-clause|bsd|isc|zlib|unlicense|cc0-1\.0|cc-by-4\.0|cc-by-3\.0|lgpl-2\.1|lgpl-3\.0|mpl-2\.0|bsl-1\.0|afl-3\.0|artistic-2\.0|wtfpl|odc-by|pddl|cdla-permissive-2\.0)$/, 1],
  [/^(gpl-2\.0|gpl-3\.0|agpl-3\.0|cc-by-sa-4\.0|cc-by-sa-3\.0|openrail|openrail\+\+|creativeml-openrail-m|bigscience-openrail-m|llama2|llama3|llama3\.1|gemma|odbl)$/, 0.5],
];

/** Text patterns of license files, most specific first. */
const TEXT_PATTERNS: [RegExp, string][] = [
  [/GNU LESSER GENERAL PUBLIC LICENSE[\s\S]{0,200}Version 2\.1/i, 'lgpl-2.1'],
  [/GNU LESSER GENERAL PUBLIC LICENSE[\s\S]{0,200}Version 3/i, 'lgpl-3.0'],
  [/GNU AFFERO GENERAL PUBLIC LICENSE/i, 'agpl-3.0'],
  [/GNU GENERAL PUBLIC LICENSE[\s\S]{0,200}Version 3/i, 'gpl-3.0'],
  [/GNU GENERAL PUBLIC LICENSE[\s\S]{0,200}Version 2/i, 'gpl-2.0'],
  [/Apache License[\s\S]{0,100}Version 2\.0/i, 'apache-2.0'],
  [/Mozilla Public License,? (Version|v\.?) ?2\.0/i, 'mpl-2.0'],
  [/Permission is hereby granted, free of charge|\bMIT License\b/i, 'mit'],
  [/Redistribution and use in source and binary forms[\s\S]*Neither the name/i, 'bsd-3-clause'],
  [/Redistribution and use in source and binary forms/i, 'bsd-2-clause'],
  [/This is free and unencumbered software released into the public domain/i, 'unlicense'],
  [/Attribution-NonCommercial/i, 'cc-by-nc-4.0'],
  [/Attribution-ShareAlike 4\.0/i, 'cc-by-sa-4.0'],
  [/Creative Commons Attribution 4\.0|CC BY 4\.0/i, 'cc-by-4.0'],
  [/CC0 1\.0|Creative Commons Zero/i, 'cc0-1.0'],
];

export function scoreLicense(id: string | undefined): number {
  if (!id) return 0;
  for (const [pattern, score] of SCORES) if (pattern.test(id)) return score;
  return 0;
}

/** `texts` are the archive's text entries by path (see archive.ts). */
export function detectLicense(texts: Map<string, string>): LicenseFinding {
  const readme = findEntry(texts, /^(readme|model_card|modelcard)(\.[a-z0-9]+)?$/);
  const frontMatter = readme ? parseFrontMatterLicense(readme) : undefined;
  if (frontMatter) return { id: frontMatter, score: scoreLicense(frontMatter), source: 'front matter' };
  const file = findEntry(texts, /^(license|licence|copying)(\.[a-z0-9]+)?$/);
  if (file) {
    const id = licenseFromText(file);
    if (id) return { id, score: scoreLicense(id), source: 'LICENSE' };
  }
  if (readme) {
    const section = readme.match(/^#{1,6}\s*licen[cs]e\b[^\n]*\n([\s\S]{0,2000}?)(?=^#{1,6}\s|$(?![\s\S]))/im)?.[1];
    const id = (section && (licenseFromText(section) ?? licenseFromName(section))) ?? licenseFromLine(readme);
    if (id) return { id, score: scoreLicense(id), source: 'README section' };
  }
  return { score: 0 };
}

export function parseFrontMatterLicense(text: string): string | undefined {
  const fm = text.match(/^---\r?\n([\s\S]*?)\r?\n---/);
  const line = fm?.[1].match(/^license:\s*["']?([A-Za-z0-9.+-]+)["']?\s*$/m);
  return line ? line[1].toLowerCase() : undefined;
}

function licenseFromText(text: string): string | undefined {
  for (const [pattern, id] of TEXT_PATTERNS) if (pattern.test(text)) return id;
  return undefined;
}

/** "MIT", "Apache 2.0", "BSD-3-Clause", "LGPLv2.1" in free text. */
function licenseFromName(text: string): string | undefined {
  const t = text.toLowerCase();
  if (/\blgpl[- ]?v?2\.1\b/.test(t)) return 'lgpl-2.1';
  if (/\bapache[- ]?(license)?[- ,]*(version )?2(\.0)?\b/.test(t)) return 'apache-2.0';
  if (/\bmit\b/.test(t)) return 'mit';
  if (/\bbsd[- ]?3/.test(t)) return 'bsd-3-clause';
  if (/\bbsd\b/.test(t)) return 'bsd-2-clause';
  if (/\bagpl/.test(t)) return 'agpl-3.0';
  if (/\bgpl[- ]?v?3/.test(t)) return 'gpl-3.0';
  if (/\bgpl[- ]?v?2/.test(t)) return 'gpl-2.0';
  if (/\bcc[- ]by[- ]nc/.test(t)) return 'cc-by-nc-4.0';
  if (/\bcc[- ]by[- ]sa/.test(t)) return 'cc-by-sa-4.0';
  if (/\bcc[- ]by\b/.test(t)) return 'cc-by-4.0';
  return undefined;
}

/** A "License: MIT" line anywhere in the README. */
function licenseFromLine(text: string): string | undefined {
  const line = text.match(/^\s*\**licen[cs]e\**\s*:\s*(.+)$/im)?.[1];
  return line ? licenseFromName(line) : undefined;
}

function findEntry(texts: Map<string, string>, basename: RegExp): string | undefined {
  // Prefer the shallowest match (the top-level README over one in a sub-folder).
  const matches = [...texts.entries()].filter(([p]) => basename.test(p.split('/').pop()!.toLowerCase()));
  matches.sort((a, b) => a[0].split('/').length - b[0].split('/').length);
  return matches[0]?.[1];
}
