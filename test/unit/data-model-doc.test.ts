import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TABLES } from '#core/schema/tables.ts';
import { renderDataModel } from '../../scripts/data-model.ts';

describe('docs/data-model.md', () => {
  it('matches the schema registry (run `npm run docs:data-model` after changing a table)', () => {
    expect(readFileSync(new URL('../../docs/data-model.md', import.meta.url), 'utf8')).toBe(renderDataModel());
  });

  it('documents every table and column', () => {
    const doc = renderDataModel();
    for (const def of TABLES) {
      expect(doc).toContain(`## ${def.name}\n`);
      for (const col of def.columns) expect(doc).toContain(`| \`${col.name}\` |`);
    }
  });
});
