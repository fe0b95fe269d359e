import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { IReleasableService, ReleasableServiceParts, ReleaseSupport, ReleaseSupportProps } from '../../../constructs';
import { newApp } from '../../support/synth';
import { buildService } from '../service/support';
import { fakeService } from './support';

const CERT = 'arn:aws:acm:ap-northeast-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
const smokeCheck = { Description: Match.stringLikeRegexp('smoke check') };
const origin = (scheme: string, port = 8443) => ({ 'Fn::Join': ['', [`${scheme}://`, { 'Fn::GetAtt': [Match.stringLikeRegexp('^Lb'), 'DNSName'] }, `:${port}`]] });

/** ReleaseSupport on the stand-in service, with some of its parts replaced. */
function withParts(parts: Partial<ReleasableServiceParts>, props: Partial<ReleaseSupportProps> = {}): Template {
  const stack = new Stack(newApp(), 'bgf-test-api', { env: { account: '123456789012', region: 'ap-northeast-1' } });
  const { vpc, service } = fakeService(stack);
  const replaced: IReleasableService = { releaseParts: { ...service.releaseParts, ...parts } };
  new ReleaseSupport(stack, 'Release', { vpc, service: replaced, ...props });
  return Template.fromStack(stack);
}

describe('the smoke check calls the test listener with its protocol', () => {
  test('testListenerProtocol defaults to HTTP: an http:// origin and no TLS server name', () => {
    withParts({}).hasResourceProperties('AWS::Lambda::Function', { ...smokeCheck, Environment: { Variables: { ALLOWED_ORIGIN: origin('http'), TLS_SERVER_NAME: Match.absent() } } });
  });

  test('an HTTPS test listener gives an https:// origin and the parts\' TLS server name', () => {
    withParts({ testListenerProtocol: elbv2.ApplicationProtocol.HTTPS, tlsServerName: 'api.dev.internal' }).hasResourceProperties('AWS::Lambda::Function', {
      ...smokeCheck,
      Environment: { Variables: { ALLOWED_ORIGIN: origin('https'), TLS_SERVER_NAME: 'api.dev.internal' } },
    });
  });

  test('tlsServerName defaults to none: HTTPS without a name checks the chain only (no TLS_SERVER_NAME)', () => {
    withParts({ testListenerProtocol: elbv2.ApplicationProtocol.HTTPS }).hasResourceProperties('AWS::Lambda::Function', {
      ...smokeCheck,
      Environment: { Variables: { ALLOWED_ORIGIN: origin('https'), TLS_SERVER_NAME: Match.absent() } },
    });
  });

  test('smokeCheckHostName overrides the parts\' name, and is ignored for an HTTP listener', () => {
    withParts({ testListenerProtocol: elbv2.ApplicationProtocol.HTTPS, tlsServerName: 'api.dev.internal' }, { smokeCheckHostName: 'api.example.com' }).hasResourceProperties('AWS::Lambda::Function', {
      ...smokeCheck,
      Environment: { Variables: { TLS_SERVER_NAME: 'api.example.com' } },
    });
    withParts({}, { smokeCheckHostName: 'api.example.com' }).hasResourceProperties('AWS::Lambda::Function', { ...smokeCheck, Environment: { Variables: { ALLOWED_ORIGIN: origin('http'), TLS_SERVER_NAME: Match.absent() } } });
  });

  test('smokeCheckTrustedCaPem defaults to none (no TLS_TRUSTED_CA); given, an HTTPS listener\'s check trusts it; an HTTP one ignores it', () => {
    const pem = fs.readFileSync(path.join(__dirname, '../../lambda/fixtures/tls/ca.pem'), 'utf8');
    const https = { testListenerProtocol: elbv2.ApplicationProtocol.HTTPS, tlsServerName: 'api.dev.internal' };
    withParts(https).hasResourceProperties('AWS::Lambda::Function', { ...smokeCheck, Environment: { Variables: { TLS_TRUSTED_CA: Match.absent() } } });
    withParts(https, { smokeCheckTrustedCaPem: pem }).hasResourceProperties('AWS::Lambda::Function', { ...smokeCheck, Environment: { Variables: { TLS_TRUSTED_CA: pem } } });
    withParts({}, { smokeCheckTrustedCaPem: pem }).hasResourceProperties('AWS::Lambda::Function', { ...smokeCheck, Environment: { Variables: { TLS_TRUSTED_CA: Match.absent() } } });
  });

  test('a smokeCheckTrustedCaPem that is not one PEM certificate, or too large for Lambda\'s environment, is refused', () => {
    const pem = fs.readFileSync(path.join(__dirname, '../../lambda/fixtures/tls/ca.pem'), 'utf8');
    const https = { testListenerProtocol: elbv2.ApplicationProtocol.HTTPS };
    for (const bad of ['not a certificate', pem.replace('CERTIFICATE', 'PRIVATE KEY'), pem + pem, `-----BEGIN CERTIFICATE-----\n${'A'.repeat(3000)}\n-----END CERTIFICATE-----\n`]) {
      expect(() => withParts(https, { smokeCheckTrustedCaPem: bad })).toThrow(/smokeCheckTrustedCaPem must be one PEM certificate/);
    }
  });

  test('a smokeCheckHostName that is not a DNS name is refused, naming the prop', () => {
    for (const bad of ['https://api.example.com', 'api.example.com:8443', 'api example', '-api.example.com']) {
      expect(() => withParts({ testListenerProtocol: elbv2.ApplicationProtocol.HTTPS }, { smokeCheckHostName: bad })).toThrow(/smokeCheckHostName .* must be a DNS name/);
    }
  });
});

describe('BlueGreenService gives its listener protocol and DNS name', () => {
  test('with a certificate and a hosted zone: HTTPS, and the service\'s DNS name', () => {
    const { service, template } = buildService({}, {
      props: (s, v) => ({ certificate: acm.Certificate.fromCertificateArn(s, 'Cert', CERT), hostedZone: new route53.PrivateHostedZone(s, 'Zone', { zoneName: 'dev.internal', vpc: v }) }),
      after: (s, v, svc) => void new ReleaseSupport(s, 'Release', { vpc: v, service: svc }),
    });
    expect(service.releaseParts).toMatchObject({ testListenerProtocol: elbv2.ApplicationProtocol.HTTPS, tlsServerName: 'api.dev.internal', testListenerPort: 8443 });
    template.hasResourceProperties('AWS::Lambda::Function', {
      ...smokeCheck,
      Environment: { Variables: { ALLOWED_ORIGIN: { 'Fn::Join': ['', ['https://', Match.anyValue(), ':8443']] }, TLS_SERVER_NAME: 'api.dev.internal' } },
    });
  });

  test('with a certificate and no hosted zone: HTTPS, no name', () => {
    const { service } = buildService({}, { props: (s) => ({ certificate: acm.Certificate.fromCertificateArn(s, 'Cert', CERT) }) });
    expect(service.releaseParts.testListenerProtocol).toBe(elbv2.ApplicationProtocol.HTTPS);
    expect(service.releaseParts.tlsServerName).toBeUndefined();
  });

  test('without a certificate: HTTP, and no name even with a hosted zone', () => {
    const { service } = buildService({}, { props: (s, v) => ({ hostedZone: new route53.PrivateHostedZone(s, 'Zone', { zoneName: 'dev.internal', vpc: v }) }) });
    expect(service.releaseParts.testListenerProtocol).toBe(elbv2.ApplicationProtocol.HTTP);
    expect(service.releaseParts.tlsServerName).toBeUndefined();
  });
});
