import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadDetections } from '../../lib/detections/load.ts';
import { renderDetectionCatalogue } from '../../scripts/detection-catalogue.ts';

describe('docs/detections.md', () => {
  it('matches the detection.yml files (run `npm run docs:detections` after changing a detection)', () => {
    expect(readFileSync(new URL('../../docs/detections.md', import.meta.url), 'utf8')).toBe(renderDetectionCatalogue(loadDetections()));
  });

  it('lists every detection with its runbook', () => {
    const doc = renderDetectionCatalogue(loadDetections());
    for (const d of loadDetections()) {
      expect(doc).toContain(`## ${d.id}\n`);
      expect(doc).toContain(d.runbook.trim());
    }
  });
});
