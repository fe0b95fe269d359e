// Construct unit tests call Template.fromStack many times, and every synth would run
// CloudFormation's built-in template validation (a WebAssembly engine, ~2 s to start in each
// test file). Unit tests assert on templates directly, so they skip it; every test that builds
// the app through buildApp() still runs it, because addPolicyGates registers it explicitly
// beside cdk-nag and cfn-guard.
process.env.CDK_VALIDATION = 'false';

// aws-cdk-lib records a stack trace at the creation of every CloudFormation element (and of every
// annotation) unless the context turns it off; under jest each trace goes through jest's
// source-mapped Error.prepareStackTrace, about a seventh of a construct test file's CPU. No test
// reads those traces (they appear only in a failed synthesis's message and in the assembly's
// metadata, not in a template). The App reads this variable as context
// (aws-cdk-lib/core/lib/app.js, CDK_CONTEXT_JSON; cfn-element.js, disable-creation-stack-traces).
process.env.CDK_CONTEXT_JSON = JSON.stringify({
  'aws:cdk:disable-creation-stack-traces': true,
  'aws:cdk:disable-stack-trace': true,
});
