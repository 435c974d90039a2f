import * as path from 'path';
import { runSpecs } from '../group';

// Every construct spec in one module registry: aws-cdk-lib loads once (test/group.ts).
runSpecs(path.join(__dirname, '..'), ['constructs']);
