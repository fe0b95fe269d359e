// Construct unit tests call Template.fromStack many times, and every synth would run
// CloudFormation's built-in template validation (a WebAssembly engine, ~2 s to start in each
// test file). Unit tests assert on templates directly, so they skip it; every test that builds
// the app through buildApp() still runs it, because addPolicyGates registers it explicitly
// beside cdk-nag and cfn-guard.
process.env.CDK_VALIDATION = 'false';
