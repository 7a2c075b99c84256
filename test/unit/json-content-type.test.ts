import { describe, expect, it } from 'vitest';
import { mediaTypeProblem } from '../../functions/api/middleware/json-content-type.ts';

describe('which request bodies count as JSON', () => {
  it.each([['application/json'], ['application/json; charset=utf-8'], ['Application/JSON; Charset="UTF-8"']])(
    'accepts %s',
    (type) => {
      expect(mediaTypeProblem({ 'content-type': type })).toBeNull();
      expect(mediaTypeProblem({ 'content-type': type, 'content-encoding': 'identity' })).toBeNull();
    },
  );

  it.each([
    [{ 'content-type': 'text/plain' }, /text\/plain/],
    [{ 'content-type': 'application/x-www-form-urlencoded' }, /x-www-form-urlencoded/],
    [{ 'content-type': 'application/xml' }, /application\/xml/],
    [{ 'content-type': 'application/json-patch+json' }, /json-patch/],
    [{}, /needs content-type: application\/json/],
    [{ 'content-type': '' }, /needs content-type/],
    [{ 'content-type': 'application/json; charset=utf-16' }, /charset utf-16/],
    [{ 'content-type': 'application/json', 'content-encoding': 'gzip' }, /content-encoding gzip/],
  ])('refuses %j', (headers, reason) => {
    expect(mediaTypeProblem(headers)).toMatch(reason);
  });
});
