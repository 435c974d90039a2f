import * as path from 'path';
import { runSpecs } from '../group';

// Every contract spec in one module registry: the synthesized world loads once (test/group.ts).
runSpecs(path.join(__dirname, '..'), ['contracts']);
