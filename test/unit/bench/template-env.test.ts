import { describe, expect, it } from 'vitest';
import { deployedEnvironment, resolveTemplateValue } from '../../../bench/lib/template-env.ts';

describe('deployed environment from the template', () => {
  it('resolves references, attributes, joins and pseudo parameters to stand-ins', () => {
    expect(resolveTemplateValue('info')).toBe('info');
    expect(resolveTemplateValue({ Ref: 'JobsTable83DB' })).toBe('JobsTable83DB');
    expect(resolveTemplateValue({ 'Fn::GetAtt': ['Key1', 'Arn'] })).toBe(
      'arn:aws:bench:us-east-1:000000000000:Key1/Arn',
    );
    expect(
      resolveTemplateValue({
        'Fn::Join': [
          '',
          [
            'https://',
            { Ref: 'Api' },
            '.execute-api.',
            { Ref: 'AWS::Region' },
            '.',
            { Ref: 'AWS::URLSuffix' },
          ],
        ],
      }),
    ).toBe('https://Api.execute-api.us-east-1.amazonaws.com');
    expect(resolveTemplateValue({ 'Fn::Select': [1, ['a', { Ref: 'B' }]] })).toBe('B');
    expect(() => resolveTemplateValue({ 'Fn::ImportValue': 'x' })).toThrow(/cannot resolve/);
  });

  it("leaves out the variables that name files of Lambda's image", () => {
    expect(
      deployedEnvironment({
        JOBS_TABLE: { Ref: 'Jobs' },
        AWS_CA_BUNDLE: '/etc/pki/ca.pem',
        NODE_OPTIONS: '--enable-source-maps',
        RETENTION_DAYS: '30',
      }),
    ).toEqual({ JOBS_TABLE: 'Jobs', RETENTION_DAYS: '30' });
    expect(deployedEnvironment(undefined)).toEqual({});
  });
});
