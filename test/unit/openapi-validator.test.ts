/**
 * The validator every e2e HTTP call goes through (test/support/http-client.ts): it must pass exchanges that
 * agree with the document and catch every kind of mismatch, or the e2e check would prove nothing.
 */
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../functions/api/openapi.ts';
import { type JobView, toJobView } from '../../functions/core/job.ts';
import { aJob } from '../support/job-factory.ts';
import { type Exchange, openApiValidator } from '../support/openapi-validator.ts';

const validator = openApiValidator(JSON.parse(JSON.stringify(openApiDocument('http://127.0.0.1:3000'))));

const job: JobView = toJobView(aJob({ id: 'job-1', params: { value: 1 }, seq: 1 }));

const authed = { authorization: 'Bearer t', 'content-type': 'application/json' };
const jsonHeaders = (extra: Record<string, string> = {}) =>
  new Headers({ 'content-type': 'application/json', ...extra });

const submit = (overrides: Partial<Exchange> = {}): Exchange => ({
  method: 'POST',
  url: '/jobs',
  requestHeaders: authed,
  requestBody: JSON.stringify({ type: 'demo', command: 'echo', params: { value: 1 } }),
  status: 202,
  responseHeaders: jsonHeaders({ location: '/jobs/job-1' }),
  responseBody: JSON.stringify({ job }),
  ...overrides,
});

const errorBody = (code: string) => JSON.stringify({ error: { code, message: 'no' } });

describe('OpenAPI validator of e2e traffic', () => {
  it('passes exchanges that agree with the document', () => {
    expect(validator.problems(submit())).toEqual([]);
    expect(
      validator.problems({
        method: 'GET',
        url: '/jobs?limit=2&status=completed',
        requestHeaders: { authorization: 'Bearer t' },
        status: 200,
        responseHeaders: jsonHeaders(),
        responseBody: JSON.stringify({ jobs: [job], nextCursor: null }),
      }),
    ).toEqual([]);
  });

  it('fails a response body that does not match its schema', () => {
    const wrong = { ...job, status: 'sleeping', surprise: true };
    const problems = validator.problems(submit({ responseBody: JSON.stringify({ job: wrong }) }));
    expect(problems.join('\n')).toMatch(/status must be equal to one of the allowed values/);
    expect(problems.join('\n')).toMatch(/additional properties \(surprise\)/);
  });

  it('fails a missing required header and an undocumented status', () => {
    expect(validator.problems(submit({ responseHeaders: jsonHeaders() }))).toEqual([
      expect.stringMatching(/header Location is missing/),
    ]);
    expect(validator.problems(submit({ status: 201 }))).toEqual([
      expect.stringMatching(/status 201 is not documented/),
    ]);
  });

  it('fails a response of the wrong content type', () => {
    const problems = validator.problems(
      submit({ responseHeaders: new Headers({ location: '/jobs/job-1' }) }),
    );
    expect(problems).toEqual([expect.stringMatching(/content type "" is not one of application\/json/)]);
  });

  it('accepts an invalid request the server refused, and fails one it accepted', () => {
    const invalid = JSON.stringify({ type: 'demo', command: 'echo', priority: 0 });
    expect(
      validator.problems(
        submit({ requestBody: invalid, status: 400, responseBody: errorBody('validation_error') }),
      ),
    ).toEqual([]);
    expect(validator.problems(submit({ requestBody: invalid })).join('\n')).toMatch(
      /accepted a request the document rejects[\s\S]*priority must be >= 1/,
    );
    const tooLongId = `/jobs/${'x'.repeat(65)}`;
    expect(
      validator
        .problems({
          method: 'GET',
          url: tooLongId,
          requestHeaders: { authorization: 'Bearer t' },
          status: 200,
          responseHeaders: jsonHeaders(),
          responseBody: JSON.stringify({ job }),
        })
        .join('\n'),
    ).toMatch(/path parameter id: \(root\) must NOT have more than 64 characters/);
  });

  it("accepts API Gateway's own refusals where the document says so, and only there", () => {
    const refusal = (status: number) =>
      validator.problems(
        submit({ status, responseHeaders: jsonHeaders(), responseBody: JSON.stringify({ message: 'No' }) }),
      );
    expect(refusal(403)).toEqual([]);
    expect(refusal(413)).toEqual([]);
    expect(refusal(429)).toEqual([]);
    expect(refusal(409)).not.toEqual([]);
  });

  it('fails a request without a token on a protected route unless it was refused', () => {
    const anonymous = { 'content-type': 'application/json' };
    expect(
      validator.problems(
        submit({ requestHeaders: anonymous, status: 401, responseBody: errorBody('unauthorized') }),
      ),
    ).toEqual([]);
    expect(validator.problems(submit({ requestHeaders: anonymous })).join('\n')).toMatch(/no bearer token/);
  });

  it('answers unknown paths only with the 404 error shape', () => {
    const unknown = (status: number, body: string) =>
      validator.problems({
        method: 'GET',
        url: '/no/such/route',
        requestHeaders: {},
        status,
        responseHeaders: jsonHeaders(),
        responseBody: body,
      });
    expect(unknown(404, errorBody('not_found'))).toEqual([]);
    expect(unknown(404, '<html>')).not.toEqual([]);
    expect(unknown(200, '{}')).not.toEqual([]);
  });
});
