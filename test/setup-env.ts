// Unit tests build stacks many times; the built-in CloudFormation validator (~1 s a template) runs
// once per CI run in test/bin/app.test.ts instead. Apps built with `testApp()` turn it off.
process.env.CDK_DISABLE_VERSION_CHECK = 'true';
