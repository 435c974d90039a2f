import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, CloudFormationValidatePlugin, IPolicyValidationContext, Stack } from 'aws-cdk-lib';

/**
 * What CDK hands a validation plugin for a small app of three stacks: two with the same schema
 * violation (an unknown queue property), a third without. Written to a fresh folder.
 */
export function queueAssembly(queueProperty = 'NotAQueueProperty', region = 'eu-west-1'): IPolicyValidationContext {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-queues-')), builtinCloudFormationValidation: false });
  const stacks = ['One', 'Two', 'Clean'].map((id) => {
    const stack = new Stack(app, id, { env: { account: '111111111111', region } });
    new CfnResource(stack, 'Queue', {
      type: 'AWS::SQS::Queue',
      properties: id === 'Clean' ? { DelaySeconds: 5 } : { [queueProperty]: 'x' },
    });
    return stack;
  });
  const out = app.synth();
  const stackTemplates = stacks.map((s) => ({
    stackConstructPath: s.node.path,
    templatePath: path.join(out.directory, s.templateFile),
    accountId: s.account,
    region: s.region,
  }));
  return {
    templatePaths: stackTemplates.map((t) => t.templatePath),
    stackTemplates,
    appConstruct: app,
  } as unknown as IPolicyValidationContext;
}

let builtIn: CloudFormationValidatePlugin | undefined;

/**
 * aws-cdk-lib's CloudFormation validator, on this thread, one for the validator specs of a jest run
 * (test/bin/all.test.ts runs them in one module registry): its engine starts once, at its first
 * templates (~3 s inside jest).
 */
export function sharedBuiltIn(): CloudFormationValidatePlugin {
  builtIn ??= new CloudFormationValidatePlugin();
  return builtIn;
}
