import fs from 'node:fs';

/**
 * Registries (permissions.ts, tenancy.ts, labels.ts, ...) carry one anchor comment
 * `// realmgate:scaffold <name>` where generated entries go: a line is inserted just
 * above it with the anchor's indentation, so entries added by hand (or by another
 * branch) around it never confuse the generator.
 */
export interface RegistryEdit {
  file: string;
  anchor: string;
  lines: string[];
  /** Refuse when the file already matches this (the entry exists). */
  exists: RegExp;
}

export function anchorLine(text: string, anchor: string): { index: number; indent: string } | null {
  const lines = text.split('\n');
  const index = lines.findIndex((l) => l.trimStart().startsWith(`// realmgate:scaffold ${anchor}`));
  if (index < 0) return null;
  return { index, indent: lines[index]!.match(/^\s*/)![0] };
}

/** Why `edit` cannot be applied to the file's current text, or null. */
export function editProblem(edit: RegistryEdit): string | null {
  if (!fs.existsSync(edit.file)) return `${edit.file} is missing`;
  const text = fs.readFileSync(edit.file, 'utf8');
  if (edit.exists.test(text)) return `${edit.file} already has this entry (${edit.exists.source})`;
  if (!anchorLine(text, edit.anchor)) return `${edit.file} has no "// realmgate:scaffold ${edit.anchor}" line to insert above; add it where entries go`;
  return null;
}

export function applyEdit(edit: RegistryEdit): void {
  const text = fs.readFileSync(edit.file, 'utf8');
  const at = anchorLine(text, edit.anchor)!;
  const lines = text.split('\n');
  lines.splice(at.index, 0, ...edit.lines.map((l) => (l ? at.indent + l : l)));
  fs.writeFileSync(edit.file, lines.join('\n'));
}
