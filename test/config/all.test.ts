import * as path from 'path';
import { runSpecs } from '../group';

// Every config spec in one module registry (test/group.ts). config-errors changes process.env: it stays a test file of its own.
runSpecs(path.join(__dirname, '..'), ['config']);
