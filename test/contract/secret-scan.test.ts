import { scanSecretName, scanSecretValue, scanVariable, shannonEntropy } from '../../constructs/contract/secret-scan';

describe('secret values', () => {
  test.each([
    ['AKIAIOSFODNN7EXAMPLE', 'aws-access-key-id'],
    ['key=ASIAY34FZKBOKMUTVV7A', 'aws-access-key-id'],
    [`ghp_${'a1B2'.repeat(9)}`, 'github-token'],
    [`gho_${'Zz9'.repeat(12)}`, 'github-token'],
    [`github_pat_11ABCDEFG0123456789_${'x'.repeat(40)}`, 'github-token'],
    ['xoxb-123456789012-123456789012-abcdefABCDEF', 'slack-token'],
    ['-----BEGIN RSA PRIVATE KEY-----\nMIIE', 'private-key'],
    ['-----BEGIN OPENSSH PRIVATE KEY-----', 'private-key'],
    ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk', 'jwt'],
    ['postgres://app:s3cr3t@db.internal:5432/app', 'url-credentials'],
    ['https://:token123@registry.example.com', 'url-credentials'],
    ['Server=db;User Id=app;Password=hunter2;', 'password-assignment'],
    ['password: hunter2', 'password-assignment'],
    ['wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'high-entropy'],
    ['Zx8kQ2mN4pL7vR1tY6wE3sA9', 'high-entropy'],
  ])('%j is a secret (%s)', (value, rule) => {
    expect(scanSecretValue(value)?.rule).toBe(rule);
  });

  test.each([
    'info',
    'http://api.dev.internal',
    'https://example.com/Some/LongPathWithCaps123/AndMore45',
    'MyApplicationName2024Production',
    'ThisIsAnOrdinaryCamelCaseIdentifier1',
    '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    '0f8fad5b-d9cb-469f-a165-70867728950e',
    'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:db-AbCdEf',
    'password=',
    'https://user@example.com/',
  ])('%j is not', (value) => {
    expect(scanSecretValue(value)).toBeUndefined();
  });

  test('the entropy threshold sits between random keys and words', () => {
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('ab')).toBe(1);
    expect(shannonEntropy('Zx8kQ2mN4pL7vR1tY6wE3sA9')).toBeGreaterThan(4.2);
    expect(shannonEntropy('ThisIsAnOrdinaryCamelCaseIdentifier1')).toBeLessThan(4.2);
  });
});

describe('secret names', () => {
  test.each(['DB_PASS', 'DB_PASSWORD', 'MYSQL_PWD', 'MYSQLPWD', 'AWS_CREDENTIALS', 'AWS_CREDS', 'API_KEY', 'APIKEY', 'GITHUB_TOKEN', 'CLIENT_SECRET', 'dbPassword', 'SSH_PRIVATE_KEY', 'AUTH', 'SIGNING_KEY', 'GPG_PASSPHRASE'])('%s says secret', (name) => {
    expect(scanSecretName(name)?.rule).toBe('secret-name');
  });
  test.each(['LOG_LEVEL', 'API_URL', 'BYPASS_CACHE', 'COMPASS_URL', 'GIT_SHA', 'PASSENGER_COUNT', 'TOKENIZER_MODEL'])('%s does not', (name) => {
    expect(scanSecretName(name)).toBeUndefined();
  });
  test('scanVariable checks the name first, then the value', () => {
    expect(scanVariable('DB_PASS', 'x')?.rule).toBe('secret-name');
    expect(scanVariable('DATABASE_URL', 'mysql://a:b@h/db')?.rule).toBe('url-credentials');
    expect(scanVariable('LOG_LEVEL', 'info')).toBeUndefined();
  });
});
