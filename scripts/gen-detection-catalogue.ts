import { writeFileSync } from 'node:fs';
import { loadDetections } from '../lib/detections/load.ts';
import { renderDetectionCatalogue } from './detection-catalogue.ts';

writeFileSync(new URL('../docs/detections.md', import.meta.url), renderDetectionCatalogue(loadDetections()));
console.log('wrote docs/detections.md');
