import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const domain = resolve(__dirname, '../../../src/domain');

/** The modules workflow code may import (directly or through each other). */
const WORKFLOW_SAFE = ['incident', 'events', 'runbook', 'regulatory-clock', 'forensic-window', 'distinct-count', 'duration', 'canonical-json'];

/** Every module reachable from `entry` through relative imports, and every bare import they make. */
function graph(entry: string): { modules: Set<string>; bare: Set<string>; sources: Map<string, string> } {
  const modules = new Set<string>();
  const bare = new Set<string>();
  const sources = new Map<string, string>();
  const visit = (file: string): void => {
    if (modules.has(file)) return;
    modules.add(file);
    const text = readFileSync(`${file}.ts`, 'utf8');
    sources.set(file, text);
    for (const match of text.matchAll(/^(?:import|export)\s+(type\s+)?[^'"]*?from\s+'([^']+)'/gm)) {
      const typeOnly = match[1] !== undefined;
      const spec = match[2] ?? '';
      if (spec.startsWith('.')) visit(join(dirname(file), spec));
      else if (!typeOnly) bare.add(spec);
    }
  };
  visit(join(domain, entry));
  return { modules, bare, sources };
}

describe('modules imported by workflows stay deterministic', () => {
  it.each(WORKFLOW_SAFE)('%s imports no Node built-in, client or library', (entry) => {
    const { bare, modules } = graph(entry);
    expect([...bare]).toEqual([]);
    const names = [...modules].map((m) => m.slice(domain.length + 1));
    expect(names).not.toContain('audit-chain');
    expect(names).not.toContain('runbook-loader');
  });

  it.each(WORKFLOW_SAFE)('%s reads no clock and draws no random numbers', (entry) => {
    for (const [file, text] of graph(entry).sources) {
      const code = text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      expect(code, file).not.toMatch(/Date\.now\(|Math\.random\(|new Date\(\)|performance\.now\(|process\./);
    }
  });

  it('the graph walker does see imports (audit-chain pulls node:crypto)', () => {
    expect([...graph('audit-chain').bare]).toContain('node:crypto');
    expect([...graph('runbook-loader').bare]).toEqual(expect.arrayContaining(['yaml', 'ajv/dist/2020', 'node:fs/promises']));
  });
});
