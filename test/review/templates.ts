import { CfnResource, CfnTemplate, StackArtifact } from '../../lib/review/model';

/** A stack of a hand-written assembly; stack name `Dev-Data` for `Dev/Data`, account 111111111111, eu-west-1. */
export function stack(displayName: string, template: CfnTemplate, where: Partial<StackArtifact> = {}): StackArtifact {
  return {
    displayName,
    stackName: displayName.replace(/\//g, '-'),
    account: '111111111111',
    region: 'eu-west-1',
    template,
    ...where,
  };
}

/** A resource with `aws:cdk:path` metadata. */
export function resource(type: string, properties: Record<string, unknown>, path?: string, extra: Partial<CfnResource> = {}): CfnResource {
  return { Type: type, Properties: properties, ...(path ? { Metadata: { 'aws:cdk:path': path } } : {}), ...extra };
}

/** `Fn::GetStackOutput` of `stackName` (same region unless given). */
export const stackOutput = (stackName: string, outputName: string, region = 'eu-west-1') => ({
  'Fn::GetStackOutput': { StackName: stackName, OutputName: outputName, Region: region },
});
