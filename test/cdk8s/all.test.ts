import * as path from 'path';
import { runSpecs } from '../group';

// Every cdk8s spec in one module registry: cdk8s and the Kubernetes models load once (test/group.ts). manifests and render change process.env: they stay test files of their own.
runSpecs(path.join(__dirname, '..'), ['cdk8s']);
