import * as path from 'path';
import { runSpecs } from '../group';

// Every stack spec and the stage spec in one module registry: the app and the world load once (test/group.ts).
runSpecs(path.join(__dirname, '..'), ['stacks', 'stages']);
