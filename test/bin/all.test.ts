import * as path from 'path';
import { runSpecs } from '../group';

// The specs of test/bin in one module registry (test/group.ts): the validator specs share one
// built-in validator, whose engine start costs seconds inside jest (validation-fixture.ts,
// sharedBuiltIn). The other test/bin files are test files of their own.
runSpecs(path.join(__dirname, '..'), ['bin']);
