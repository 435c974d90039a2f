import * as path from 'path';
import { runSpecs } from '../group';

// Every review spec in one module registry: the review app and the CloudFormation diff load once (test/group.ts).
runSpecs(path.join(__dirname, '..'), ['review']);
