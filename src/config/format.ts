// Rendering issues for people: `file:line:col: program "web", key "x": message`.
import type { ConfigIssue } from './types';

export function formatIssue(i: ConfigIssue): string {
  const where = i.line > 0 ? `${i.file}:${i.line}:${i.col}` : i.file;
  const what: string[] = [];
  if (i.program !== null) what.push(`program "${i.program}"`);
  if (i.key !== null) what.push(`key "${i.key}"`);
  const subject = what.length > 0 ? `${what.join(', ')}: ` : '';
  return `${where}: ${subject}${i.message}`;
}

export function formatIssues(list: readonly ConfigIssue[]): string {
  return list.map(formatIssue).join('\n');
}
