import { writeFileSync } from 'node:fs';
import { renderDataModel } from './data-model.ts';

writeFileSync(new URL('../docs/data-model.md', import.meta.url), renderDataModel());
console.log('wrote docs/data-model.md');
